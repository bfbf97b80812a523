"""The console's operator routes over HTTP against a real uvicorn and the demo data: dead
letters (read by the technical roles, released by the operator only, each release recorded
with who and why), one purchase order's trace, and the KPI series."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from browser import bearer
from live_server import LiveHub

from api.auth import Role
from connectors.nats.command_messages import InboundMessage
from supplyhub.workers import dead_letter_store


def bury(live: LiveHub, document: str, body: dict[str, object], subject: str) -> None:
    message = InboundMessage(
        f"supplyhub.commands.{subject}", {"Nats-Msg-Id": f"msg-{document}"},
        json.dumps(body).encode(),
    )  # fmt: skip
    dead_letter_store(live.settings).bury(document, message, "timeout", 3, datetime.now(UTC))


def letters(live: LiveHub) -> dict[str, dict[str, object]]:
    answer = httpx.get(f"{live.url}/console/dead-letters", headers=bearer(live, Role.AUDITOR))
    assert answer.status_code == 200, answer.text
    return {d["document"]: d for d in answer.json()["letters"]}


def test_dead_letters_are_listed_with_their_reason_and_the_order_they_hold_up(
    live: LiveHub,
) -> None:
    bury(live, "invoice:SUP-ACME:INV-X1", {"supplier": "SUP-ACME", "invoice_number": "INV-X1",
         "po_number": "4500000003"}, "submit_invoice")  # fmt: skip

    found = letters(live)["invoice:SUP-ACME:INV-X1"]

    assert found["reason"] == "timeout"
    assert found["attempts"] == 3
    assert found["purchase_order"] == "4500000003"
    assert found["subject"] == "supplyhub.commands.submit_invoice"
    for refused in (Role.AP, Role.SUPPLIER, Role.CONNECTOR):
        denied = httpx.get(f"{live.url}/console/dead-letters", headers=bearer(live, refused))
        assert denied.status_code == 403, refused


def test_a_stuck_ship_notice_holds_up_the_first_order_it_names(live: LiveHub) -> None:
    body = {"supplier": "SUP-ACME", "asn_number": "ASN-X9", "ship_date": "2026-12-01",
            "expected_delivery": "2026-12-03",
            "orders": [{"po_number": "4500000007", "lines": []}]}  # fmt: skip
    bury(live, "asn:SUP-ACME:ASN-X9", body, "submit_ship_notice")

    assert letters(live)["asn:SUP-ACME:ASN-X9"]["purchase_order"] == "4500000007"


def test_only_the_operator_releases_and_the_release_says_who_and_why(live: LiveHub) -> None:
    bury(live, "po:4500000005", {"po_number": "4500000005", "reason": "withdrawn"},
         "cancel_purchase_order")  # fmt: skip
    url = f"{live.url}/console/dead-letters/po:4500000005/retry"
    for refused in (Role.BUYER, Role.AUDITOR, Role.AP, Role.SUPPLIER):
        denied = httpx.post(url, json={"reason": "try"}, headers=bearer(live, refused))
        assert denied.status_code == 403, refused

    done = httpx.post(url, json={"reason": "store is back"}, headers=bearer(live, Role.ADMIN))

    assert done.status_code == 200, done.text
    assert done.json() | {"at": ""} == {
        "document": "po:4500000005", "action": "retry", "actor": "admin-user",
        "reason": "store is back", "applied": 1, "still_dead": "", "at": "",
    }  # fmt: skip
    assert "po:4500000005" not in letters(live)
    latest = httpx.get(f"{live.url}/console/dead-letters", headers=bearer(live, Role.BUYER))
    assert latest.json()["actions"][0]["reason"] == "store is back"


def test_a_drop_discards_the_dead_letter_and_a_second_release_finds_nothing(
    live: LiveHub,
) -> None:
    bury(live, "po:4500000007", {"po_number": "4500000007"}, "cancel_purchase_order")
    url = f"{live.url}/console/dead-letters/po:4500000007"
    admin = bearer(live, Role.ADMIN)

    dropped = httpx.post(f"{url}/drop", json={"reason": "sent twice"}, headers=admin)
    again = httpx.post(f"{url}/retry", json={"reason": "sent twice"}, headers=admin)

    assert dropped.status_code == 200 and dropped.json()["applied"] == 0
    assert again.status_code == 404
    assert again.json()["detail"] == "dead letter 'po:4500000007' not found"


@pytest.mark.parametrize(
    ("body", "action"),
    [({}, "retry"), ({"reason": ""}, "retry"), ({"reason": "x", "by": "me"}, "retry"),
     ({"reason": "x"}, "replay-all")],
)  # fmt: skip
def test_a_release_without_a_reason_or_with_unknown_fields_is_refused(
    live: LiveHub, body: dict[str, str], action: str
) -> None:
    answer = httpx.post(
        f"{live.url}/console/dead-letters/po:1/{action}", json=body,
        headers=bearer(live, Role.ADMIN),
    )  # fmt: skip
    assert answer.status_code == 422, answer.text


def test_the_trace_is_every_event_of_the_order_and_its_documents_in_order(
    live: LiveHub,
) -> None:
    answer = httpx.get(
        f"{live.url}/console/purchase-orders/4500000001/trace", headers=bearer(live, Role.BUYER)
    )
    assert answer.status_code == 200, answer.text
    trace = answer.json()
    history = httpx.get(
        f"{live.url}/api/v1/purchase-orders/4500000001/history",
        headers=bearer(live, Role.AUDITOR),
    ).json()["events"]

    own = [s for s in trace["steps"] if s["document"] == "po:4500000001"]
    assert [s["message_id"] for s in own] == [e["message_id"] for e in history]
    assert [s["at"] for s in trace["steps"]] == sorted(s["at"] for s in trace["steps"])
    assert {d.split(":")[0] for d in trace["documents"]} >= {"po", "asn", "invoice"}
    missing = httpx.get(
        f"{live.url}/console/purchase-orders/4599999999/trace", headers=bearer(live, Role.BUYER)
    )
    assert missing.status_code == 404
    refused = httpx.get(
        f"{live.url}/console/purchase-orders/4500000001/trace", headers=bearer(live, Role.AP)
    )
    assert refused.status_code == 403


def test_the_kpi_series_is_per_supplier_and_period_and_refused_to_suppliers(
    live: LiveHub,
) -> None:
    url = f"{live.url}/console/kpis"
    days = httpx.get(url, params={"period": "day"}, headers=bearer(live, Role.AP)).json()
    weeks = httpx.get(url, headers=bearer(live, Role.AP)).json()

    assert len(days) > len(weeks) > 0
    assert {p["supplier"] for p in days} == {p["supplier"] for p in weeks}
    assert (
        httpx.get(url, params={"period": "month"}, headers=bearer(live, Role.AP)).status_code == 422
    )
    assert httpx.get(url, headers=bearer(live, Role.SUPPLIER)).status_code == 403
