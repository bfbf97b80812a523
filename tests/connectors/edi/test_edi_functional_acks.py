"""Functional acknowledgements both ways, with mock-edi as the partner: our 997 / CONTRL for
every interchange it sends (accepting, or rejecting a set the translator refuses), and its
997 / CONTRL for our 850 / ORDERS matched to what we sent, with the unacknowledged-order case
when none comes in time (the worker's clock is injected: nothing sleeps)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from edi_partner import MockEdi
from edi_trading import Hub, after_trading, categories, lines_of, release, trade_with

pytestmark = pytest.mark.mock_edi


def mock_documents(mock_edi: MockEdi, us: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{mock_edi.url}/_mock/documents?partner={us}", timeout=10)
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found


def received_by_mock(mock_edi: MockEdi, us: str) -> list[bytes]:
    """Every interchange the mock received from us, raw, in order."""
    listed = httpx.get(f"{mock_edi.url}/_mock/interchanges", timeout=10).json()
    ours = [e for e in listed if e["partner"] == us and e["direction"] == "in"]
    return [
        httpx.get(f"{mock_edi.url}/_mock/interchanges/{e['id']}?raw", timeout=10).content
        for e in ours
    ]


def test_every_document_the_mock_sends_is_accepted_in_our_997_which_passes_its_validator(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us = trade_with(hub, mock_edi, "X12")
    release(hub, "PO-FA-X12")

    hub.worker.step()

    answered = {d["code"]: d["ack_status"] for d in mock_documents(mock_edi, us)
                if d["direction"] == "out"}  # fmt: skip
    assert answered == {"997": "", "855": "accepted", "856": "accepted", "810": "accepted"}
    acks = [each for each in received_by_mock(mock_edi, us) if b"ST*997*" in each]
    assert len(acks) == 3  # one per interchange it sent; none for its own 997
    assert all(b"AK5*A~" in ack and b"AK9*A*1*1*1~" in ack for ack in acks)
    assert all(mock_edi.validate(ack)["clean"] is True for ack in acks)


def test_an_edifact_partners_messages_are_accepted_in_our_contrl(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us = trade_with(hub, mock_edi, "EDIFACT")
    release(hub, "PO-FA-EDIFACT")

    hub.worker.step()

    answered = {d["code"]: d["ack_status"] for d in mock_documents(mock_edi, us)
                if d["direction"] == "out"}  # fmt: skip
    assert answered == {"CONTRL": "", "ORDRSP": "accepted", "DESADV": "accepted",
                        "INVOIC": "accepted"}  # fmt: skip
    acks = [each for each in received_by_mock(mock_edi, us) if b"CONTRL" in each]
    assert len(acks) == 3
    assert all(mock_edi.validate(ack)["clean"] is True for ack in acks)


def test_the_same_interchange_again_gets_the_same_ack_without_a_new_control_number(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-FA-AGAIN")
    hub.worker.step()
    (first, *_) = hub.worker.acks.written()
    numbers = hub.worker.documents.last_control("mock-edi")
    answered = [ref for ref in received_refs(hub) if b"ST*855*" in hub.worker.payloads.get(ref)]

    hub.worker.receive("mock-edi", hub.worker.payloads.get(answered[0]))
    hub.worker.deliver_acks()  # as the worker's next step does

    assert hub.worker.documents.last_control("mock-edi") == numbers
    assert hub.worker.acks.written()[0] == first
    assert first[3] is True  # delivered again, and marked so


def received_refs(hub: Hub) -> list[str]:
    """The payload references of every interchange kept in the hub's data directory."""
    kept = hub.partners.parent / "payloads"
    return [f"sha256:{path.name}" for path in sorted(kept.glob("*/*"))]


def test_our_850_is_recorded_as_accepted_by_the_mocks_997(hub: Hub, mock_edi: MockEdi) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-FA-MATCHED")

    hub.worker.step()

    (expected,) = hub.worker.acks.expected()
    assert (expected.po_number, expected.document, expected.result) == (
        "PO-FA-MATCHED", "850 1", "accepted",
    )  # fmt: skip


def test_reject_ack_the_mock_rejecting_our_850_in_its_997_opens_a_case_for_the_buyer(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "reject-ack", "PO-FA-REJECTED")

    assert "order_rejected_in_ack" in categories(seen, "PO-FA-REJECTED")
    (expected,) = hub.worker.acks.expected()
    assert expected.result == "rejected"
    (case,) = [c for c in seen["exceptions"]["items"] if c["category"] == "order_rejected_in_ack"]
    assert case["document"] == "po:PO-FA-REJECTED"
    assert "rejected 850 1" in case["reason"]


def test_no_ack_an_order_unacknowledged_past_the_window_opens_one_case(
    hub: Hub, mock_edi: MockEdi
) -> None:
    start = datetime.now(UTC)
    hub.worker.clock = lambda: start
    before = after_trading(hub, mock_edi, "no-ack", "PO-FA-NO-ACK")
    hub.worker.clock = lambda: start + timedelta(minutes=59)
    hub.worker.step()
    not_yet = after_trading(hub, mock_edi, "", "PO-FA-NO-ACK")

    hub.worker.clock = lambda: start + timedelta(minutes=61)
    hub.worker.step()
    hub.worker.step()
    seen = after_trading(hub, mock_edi, "", "PO-FA-NO-ACK")

    assert "unacknowledged_order" not in categories(before, "PO-FA-NO-ACK")
    assert "unacknowledged_order" not in categories(not_yet, "PO-FA-NO-ACK")
    cases = [c for c in seen["exceptions"]["items"] if c["category"] == "unacknowledged_order"]
    assert len(cases) == 1
    assert "no functional acknowledgement in time for 850 1" in cases[0]["reason"]


def test_late_the_ack_after_the_window_resolves_the_unacknowledged_order_case(
    hub: Hub, mock_edi: MockEdi
) -> None:
    start = datetime.now(UTC)
    hub.worker.clock = lambda: start
    after_trading(hub, mock_edi, "late", "PO-FA-LATE")
    hub.worker.clock = lambda: start + timedelta(minutes=61)
    hub.worker.step()
    flagged = after_trading(hub, mock_edi, "", "PO-FA-LATE")

    # The mock releases its hour-late answers now; the worker collects them.
    httpx.post(f"{mock_edi.url}/_mock/advance?all", timeout=10).raise_for_status()
    hub.worker.step()
    seen = after_trading(hub, mock_edi, "", "PO-FA-LATE")

    assert "unacknowledged_order" in categories(flagged, "PO-FA-LATE")
    assert "unacknowledged_order" not in categories(seen, "PO-FA-LATE")
    assert lines_of(seen, "ackStatus") == [("accepted",), ("accepted",)]
    (expected,) = hub.worker.acks.expected()
    assert expected.result == "accepted"


def test_strict_our_850_has_no_finding_so_a_strict_partner_accepts_and_trades_it(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "strict", "PO-FA-STRICT")

    (expected,) = hub.worker.acks.expected()
    assert expected.result == "accepted"
    assert lines_of(seen, "ackStatus", "shippedQuantity", "invoicedQuantity") == [
        ("accepted", "100", "100"), ("accepted", "2.5", "2.5"),
    ]  # fmt: skip
    assert "order_rejected_in_ack" not in categories(seen, "PO-FA-STRICT")


def test_strict_a_partner_rejecting_our_d01b_orders_for_a_mere_finding_opens_a_case(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "EDIFACT", behaviour="strict")
    path = hub.partners / "mock-edi.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": "D01B"}))
    release(hub, "PO-FA-STRICT-D01B")
    hub.worker.step()

    seen = after_trading(hub, mock_edi, "", "PO-FA-STRICT-D01B")

    (expected,) = hub.worker.acks.expected()
    assert (expected.document, expected.result) == ("ORDERS 1", "rejected")
    assert "order_rejected_in_ack" in categories(seen, "PO-FA-STRICT-D01B")
    assert seen["purchaseOrder"]["acknowledgedRevision"] == 0


def test_duplicate_order_orders_sent_to_the_buyers_hub_are_rejected_in_our_997_not_applied(
    hub: Hub, mock_edi: MockEdi
) -> None:
    # The mock's supplier-role behaviour: it buys, and sends its 850 twice. A buyer's hub
    # takes no orders from its suppliers: each copy is rejected by name, nothing is applied.
    us = trade_with(hub, mock_edi, "X12")
    httpx.patch(
        f"{mock_edi.url}/_mock/partners/{us}",
        json={"role": "supplier", "behaviour": "duplicate-order"}, timeout=10,
    ).raise_for_status()  # fmt: skip
    placed = httpx.post(
        f"{mock_edi.url}/_mock/purchase",
        json={"partner": us, "lines": [{"sku": "WIDGET-001", "quantity": 5, "price": 12.5}]},
        timeout=10,
    )
    placed.raise_for_status()
    httpx.post(f"{mock_edi.url}/_mock/advance?all", timeout=10).raise_for_status()

    hub.worker.step()

    parked = hub.worker.documents.parked()
    assert len(parked) == 2
    assert all("850" in reason for _, _, reason, _ in parked)
    rejected = [d for d in mock_documents(mock_edi, us) if d["code"] == "850"]
    assert [d["ack_status"] for d in rejected] == ["rejected", "rejected"]
    assert hub.worker.acks.expected() == []
