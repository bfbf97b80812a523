"""GraphQL subscriptions over graphql-transport-ws on a real uvicorn: signed in with the hub's
tokens, scoped as the queries are, fed by the views' position after a command commits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
from browser import token
from live_commands import reject, release, subscribers
from live_server import LiveHub
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api.auth import Role

pytestmark = pytest.mark.server

PROTOCOL = "graphql-transport-ws"
QUEUE = "subscription { exceptionQueue { change case { key category document supplier } } }"
NEEDING = "subscription { purchaseOrdersNeedingAction { number supplier needsAction revision } }"
TIMELINE = """subscription($n: String!) { documentTimeline(number: $n) {
  event version actor channel correlationId } }"""


def socket(live: LiveHub) -> ClientConnection:
    url = live.url.replace("http://", "ws://") + "/graphql"
    return connect(url, subprotocols=[Subprotocol(PROTOCOL)], open_timeout=10)


@contextmanager
def signed_in(live: LiveHub, role: Role, supplier: str = "") -> Iterator[ClientConnection]:
    with socket(live) as ws:
        bearer = f"Bearer {token(live, role, 'live-test', supplier)}"
        ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": bearer}}))
        assert receive(ws) == {"type": "connection_ack"}
        yield ws


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


def subscribe(ws: ClientConnection, id: str, query: str, **variables: Any) -> None:
    payload = {"query": query, "variables": variables}
    ws.send(json.dumps({"type": "subscribe", "id": id, "payload": payload}))


def next_for(ws: ClientConnection, id: str) -> dict[str, Any]:
    """The next `next` message (or error) for this operation, skipping none silently."""
    message = receive(ws)
    assert message["id"] == id, message
    return message


def test_a_buyer_subscribed_to_the_queue_receives_the_case_a_suppliers_rejection_opens(
    live: LiveHub,
) -> None:
    release(live, "4500000901")
    subscribers(live, 0)
    with signed_in(live, Role.BUYER) as ws:
        subscribe(ws, "q", QUEUE)
        subscribers(live, 1)
        reject(live, "4500000901")
        update = next_for(ws, "q")
    change = update["payload"]["data"]["exceptionQueue"]
    assert update["type"] == "next"
    assert change["change"] == "opened"
    assert change["case"]["category"] == "line_rejected"
    assert change["case"]["document"] == "po:4500000901"
    assert change["case"]["supplier"] == "SUP-ACME"


def test_a_supplier_receives_its_own_new_order_needing_action_and_not_anothers(
    live: LiveHub,
) -> None:
    subscribers(live, 0)
    with signed_in(live, Role.SUPPLIER, "SUP-ACME") as ws:
        subscribe(ws, "po", NEEDING)
        subscribers(live, 1)
        release(live, "4500000902", "SUP-BOREAL")
        release(live, "4500000903", "SUP-ACME")
        update = next_for(ws, "po")
    assert update["payload"]["data"]["purchaseOrdersNeedingAction"] == {
        "number": "4500000903", "supplier": "SUP-ACME", "needsAction": True, "revision": 1,
    }  # fmt: skip


def test_a_supplier_follows_its_orders_timeline_as_its_answer_is_appended(live: LiveHub) -> None:
    release(live, "4500000904")
    subscribers(live, 0)
    with signed_in(live, Role.SUPPLIER, "SUP-ACME") as ws:
        subscribe(ws, "t", TIMELINE, n="4500000904")
        subscribers(live, 1)
        reject(live, "4500000904")
        update = next_for(ws, "t")
    entry = update["payload"]["data"]["documentTimeline"]
    assert entry["event"] == "PurchaseOrder.Acknowledged"
    assert entry["version"] == 2
    assert entry["actor"] is None  # as Revision.actor: not shown to suppliers
    assert entry["channel"] == "portal"


def test_an_orders_timeline_carries_the_events_of_its_goods_receipts_too(live: LiveHub) -> None:
    release(live, "4500000909")
    line = {"line_number": 10, "accepted": "50"}
    receipt = {"receipt_number": "GR-LIVE-909", "po_number": "4500000909",
               "received_on": "2026-12-02", "lines": [line]}  # fmt: skip
    headers = {"Authorization": f"Bearer {token(live, Role.CONNECTOR)}",
               "Idempotency-Key": "receipt-909"}  # fmt: skip
    subscribers(live, 0)
    with signed_in(live, Role.BUYER) as ws:
        subscribe(ws, "t", TIMELINE, n="4500000909")
        subscribers(live, 1)
        posted = httpx.post(f"{live.url}/api/v1/goods-receipts", json=receipt, headers=headers)
        assert posted.status_code == 201, posted.text
        events = [next_for(ws, "t")["payload"]["data"]["documentTimeline"]["event"]
                  for _ in range(2)]  # fmt: skip
    assert sorted(events) == ["GoodsReceipt.Posted", "PurchaseOrder.GoodsReceived"]


def test_a_supplier_subscribing_to_another_suppliers_timeline_is_told_the_rule(
    live: LiveHub,
) -> None:
    release(live, "4500000905")
    with signed_in(live, Role.SUPPLIER, "SUP-BOREAL") as ws:
        subscribe(ws, "t", TIMELINE, n="4500000905")
        answer = next_for(ws, "t")
        ended = next_for(ws, "t")
    assert answer["type"] == "next"
    assert answer["payload"]["data"] is None
    assert "not one this caller may see" in answer["payload"]["errors"][0]["message"]
    assert ended == {"id": "t", "type": "complete"}


def test_a_mutation_over_the_socket_is_refused_and_sent_over_post(live: LiveHub) -> None:
    release(live, "4500000908")
    mutation = """mutation { acknowledgePurchaseOrder(idempotencyKey: "socket-1",
      input: {poNumber: "4500000908", revision: 1, lines: [{lineNumber: 10, code: "Accepted"}]})
      { __typename ... on Forbidden { detail } } }"""
    with signed_in(live, Role.SUPPLIER, "SUP-ACME") as ws:
        subscribe(ws, "m", mutation)
        answer = next_for(ws, "m")
    assert answer["payload"]["data"]["acknowledgePurchaseOrder"] == {
        "__typename": "Forbidden",
        "detail": "send mutations over POST /graphql, not the WebSocket",
    }


def test_a_connection_init_with_a_forged_token_is_closed_with_4403(live: LiveHub) -> None:
    with socket(live) as ws:
        init = {"type": "connection_init", "payload": {"authorization": "Bearer not.a.jwt"}}
        ws.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_a_subscribe_before_connection_init_is_closed_with_4401(live: LiveHub) -> None:
    with socket(live) as ws:
        subscribe(ws, "q", QUEUE)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


def test_a_completed_subscription_receives_nothing_more_while_another_goes_on(
    live: LiveHub,
) -> None:
    release(live, "4500000906")
    subscribers(live, 0)
    with signed_in(live, Role.BUYER) as ws:
        subscribe(ws, "gone", QUEUE)
        subscribe(ws, "kept", QUEUE)
        subscribers(live, 2)
        ws.send(json.dumps({"type": "complete", "id": "gone"}))
        subscribers(live, 1)
        reject(live, "4500000906")
        update = next_for(ws, "kept")  # a message for "gone" would fail here
    assert update["payload"]["data"]["exceptionQueue"]["case"]["document"] == "po:4500000906"


def test_five_hundred_subscribers_share_one_watcher_and_each_receives_the_change(
    live: LiveHub,
) -> None:
    feed = live.app.state.live
    release(live, "4500000907")
    subscribers(live, 0)
    with ExitStack() as stack:
        sockets = [stack.enter_context(signed_in(live, Role.BUYER)) for _ in range(5)]
        for ws in sockets:
            for n in range(100):
                subscribe(ws, f"s{n}", QUEUE)
        subscribers(live, 500)
        changes, watchers = feed.changes, feed.watchers
        reject(live, "4500000907")
        received = [receive(ws) for ws in sockets for _ in range(100)]
    documents = {r["payload"]["data"]["exceptionQueue"]["case"]["document"] for r in received}
    assert documents == {"po:4500000907"}
    assert {(r["type"], r["id"]) for r in received} == {("next", f"s{n}") for n in range(100)}
    assert feed.watchers == watchers  # no new watcher per subscriber
    assert feed.changes - changes <= 3  # the log read once per committed batch, not per socket


def test_five_followers_of_one_order_get_the_same_update_from_one_execution(
    live: LiveHub,
) -> None:
    shared = live.app.state.shared_subscriptions
    release(live, "4500000910")
    subscribers(live, 0)
    with ExitStack() as stack:
        sockets = [
            stack.enter_context(signed_in(live, Role.SUPPLIER, "SUP-ACME")) for _ in range(5)
        ]
        for ws in sockets:
            subscribe(ws, "t", TIMELINE, n="4500000910")
        subscribers(live, 5)
        executions = shared.executions
        reject(live, "4500000910")
        updates = [next_for(ws, "t") for ws in sockets]
    assert (
        updates[0]["payload"]["data"]["documentTimeline"]["event"] == "PurchaseOrder.Acknowledged"
    )
    assert all(update == updates[0] for update in updates)
    assert shared.executions - executions == 1  # not one per follower


def test_suppliers_and_a_buyer_following_one_order_each_get_only_what_they_may_see(
    live: LiveHub,
) -> None:
    shared = live.app.state.shared_subscriptions
    release(live, "4500000911")
    release(live, "4500000912", "SUP-BOREAL")
    subscribers(live, 0)
    with (
        signed_in(live, Role.SUPPLIER, "SUP-ACME") as acme,
        signed_in(live, Role.SUPPLIER, "SUP-BOREAL") as boreal,
        signed_in(live, Role.BUYER) as buyer,
    ):
        for ws in (acme, boreal, buyer):
            subscribe(ws, "t", TIMELINE, n="4500000911")
        refused, ended = next_for(boreal, "t"), next_for(boreal, "t")
        subscribe(boreal, "own", TIMELINE, n="4500000912")
        subscribers(live, 3)
        executions = shared.executions
        reject(live, "4500000911")
        reject(live, "4500000912", "SUP-BOREAL")
        seen = {name: next_for(ws, "t")["payload"]["data"]["documentTimeline"]
                for name, ws in (("acme", acme), ("buyer", buyer))}  # fmt: skip
        own = next_for(boreal, "own")  # a message of 4500000911 for "t" would fail here
    assert refused["payload"]["data"] is None
    assert "not one this caller may see" in refused["payload"]["errors"][0]["message"]
    assert ended == {"id": "t", "type": "complete"}
    assert seen["acme"]["actor"] is None  # a supplier's view of the same entry...
    assert seen["buyer"]["actor"] == "supplier:SUP-ACME"  # ...is not the buyer's
    assert own["payload"]["data"]["documentTimeline"]["event"] == "PurchaseOrder.Acknowledged"
    assert shared.executions - executions == 3  # one per visibility: shared with nobody else


def test_the_projection_runners_commit_wakes_the_feed_with_its_events_without_a_poll_or_log_read(
    live: LiveHub,
) -> None:
    feed = live.app.state.live
    release(live, "4500000913")
    subscribers(live, 0)
    deadline = time.monotonic() + 10
    while feed.watching:  # the last subscriber gone, the watcher stops
        assert time.monotonic() < deadline, "the watcher did not stop"
        time.sleep(0.005)
    feed.woken_interval = 600.0  # only a wake can bring this update in time
    try:
        with signed_in(live, Role.BUYER) as ws:
            subscribe(ws, "t", TIMELINE, n="4500000913")
            subscribers(live, 1)
            reads, log_reads = feed.reads, feed.source.log_reads
            reject(live, "4500000913")
            update = next_for(ws, "t")
    finally:
        feed.woken_interval = 1.0
    assert update["payload"]["data"]["documentTimeline"]["event"] == "PurchaseOrder.Acknowledged"
    assert feed.reads == reads  # the position came with the wake, not from a read
    assert feed.source.log_reads == log_reads  # and the events with it: the runner's own
