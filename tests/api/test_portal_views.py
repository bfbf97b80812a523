"""A supplier's first look at each revision of its order in the portal is on the order's trace
("portal view"), once, with who; a buyer's read or another supplier's probe records nothing."""

from __future__ import annotations

from typing import Any

import httpx
from browser import bearer, token
from live_server import LiveHub

from api.auth import Role

QUERY = "query($n: String!) { purchaseOrder(number: $n) { number revision } }"


def read(live: LiveHub, number: str, headers: dict[str, str], look: int) -> Any:
    # A comment makes each look a new text: the response cache would answer a repeat itself.
    body = {"query": f"# look {look}\n{QUERY}", "variables": {"n": number}}
    answer = httpx.post(f"{live.url}/graphql", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["purchaseOrder"]


def views_on_trace(live: LiveHub, number: str) -> list[dict[str, Any]]:
    assert live.app.state.portal_views.flush(5)
    live.read_side.runner.wait_until(live.hub.recorder.max_notification_id() or 0, timeout=5)
    trace = httpx.get(f"{live.url}/console/purchase-orders/{number}/trace",
                      headers=bearer(live, Role.AUDITOR))  # fmt: skip
    assert trace.status_code == 200, trace.text
    return [s for s in trace.json()["steps"] if s["document"] == f"portal:{number}"]


def an_acme_order(live: LiveHub) -> dict[str, Any]:
    query = "{ purchaseOrders(first: 50) { items { number revision } } }"
    answer = httpx.post(f"{live.url}/graphql", json={"query": query},
                        headers=bearer(live, Role.SUPPLIER)).json()  # fmt: skip
    orders: list[dict[str, Any]] = answer["data"]["purchaseOrders"]["items"]
    return orders[-1]


def test_a_suppliers_first_look_at_a_revision_is_a_step_of_the_orders_trace_once(
    live: LiveHub,
) -> None:
    po = an_acme_order(live)  # a list is not a look at one order
    assert views_on_trace(live, po["number"]) == []

    for look in range(3):  # the same user, then again: one first view
        assert read(live, po["number"], bearer(live, Role.SUPPLIER), look)["number"] == po["number"]

    steps = views_on_trace(live, po["number"])
    assert [(s["event"], s["actor"], s["channel"], s["revision"]) for s in steps] == [
        ("PortalView.FirstSeen", "supplier:SUP-ACME", "portal", po["revision"])
    ]


def test_a_buyers_read_and_another_suppliers_probe_record_no_portal_view(
    live: LiveHub,
) -> None:
    po = an_acme_order(live)
    number = po["number"]
    stranger = {"Authorization": f"Bearer {token(live, Role.SUPPLIER, 'eve', 'SUP-BOREAL')}"}
    before = views_on_trace(live, number)

    assert read(live, number, bearer(live, Role.BUYER), 10)["number"] == number
    assert read(live, number, stranger, 11) is None  # another's order does not exist for it

    assert views_on_trace(live, number) == before
