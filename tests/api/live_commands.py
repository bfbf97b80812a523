"""Commands another caller sends a live hub while a test watches: an ERP release over REST, a
supplier's rejection over GraphQL (which opens a line_rejected case for the buyer)."""

from __future__ import annotations

import time

import httpx
from browser import token
from live_server import LiveHub

from api.auth import Role


def release(live: LiveHub, number: str, supplier: str = "SUP-ACME") -> None:
    """The ERP releases revision 1 of a one-line order; returns once the views show it."""
    line = {"line_number": 10, "item": "BRKT-1001", "quantity": "50", "uom": "EA",
            "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
    body = {"po_number": number, "supplier": supplier, "currency": "EUR", "lines": [line]}
    headers = {
        "Authorization": f"Bearer {token(live, Role.CONNECTOR)}",
        "Idempotency-Key": f"release-{number}",
    }
    answer = httpx.post(f"{live.url}/api/v1/purchase-orders", json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=10)


def reject(live: LiveHub, number: str, supplier: str = "SUP-ACME") -> None:
    """The supplier rejects line 10 of revision 1: a line_rejected case for the buyer."""
    mutation = """mutation($n: String!) { acknowledgePurchaseOrder(idempotencyKey: $n,
      input: {poNumber: $n, revision: 1, lines: [{lineNumber: 10, code: "Rejected"}]})
      { __typename } }"""
    headers = {"Authorization": f"Bearer {token(live, Role.SUPPLIER, 'p', supplier)}"}
    body = {"query": mutation, "variables": {"n": number}}
    answer = httpx.post(f"{live.url}/graphql", json=body, headers=headers).json()
    assert answer["data"]["acknowledgePurchaseOrder"]["__typename"] == "Accepted", answer


def subscribers(live: LiveHub, count: int) -> None:
    """Wait until the server holds exactly `count` subscriptions and each of their shared
    executions listens to the live feed: the protocol has no "subscribed" message, and a
    command sent before would commit before anyone listened."""
    shared, feed = live.app.state.shared_subscriptions, live.app.state.live
    deadline = time.monotonic() + 10
    while (shared.members, feed.subscribers) != (count, shared.streams):
        assert time.monotonic() < deadline, (
            f"{shared.members} subscriptions, {shared.streams} executions, "
            f"{feed.subscribers} listening"
        )
        time.sleep(0.005)
