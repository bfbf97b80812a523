"""The EDI worker end to end with mock-edi: a PO released over REST is sent by the worker (a
tracked subscriber of the event log) as our 850 or ORDERS; mock-edi's answers, collected
from its mailbox, come back through the inbound path, and GraphQL shows the PO acknowledged
line by line. Each test trades as its own mock-edi partner, so its control numbers are new
to the mock (which refuses a reused one).
"""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import httpx
import pytest
from edi_partner import MockEdi
from edi_trading import (
    Hub,
    after_trading,
    categories,
    lines_of,
    order_seen,
    release,
    trade_with,
    trading_hub,
)

from connectors.workers.loop import is_transient
from supplyhub.cli import main

pytestmark = pytest.mark.mock_edi


def test_a_po_released_over_rest_goes_out_as_an_850_and_the_mocks_855_acknowledges_it(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us = trade_with(hub, mock_edi, "X12")
    release(hub, "PO-OUT-X12")

    sent = hub.worker.step()

    assert sent == 1
    assert order_seen(hub, "PO-OUT-X12") == {
        "acknowledgedRevision": 1,
        "lines": [
            {"lineNumber": 1, "ackStatus": "accepted", "ackSourceCode": "IA",
             "confirmedQuantity": "100"},
            {"lineNumber": 2, "ackStatus": "accepted", "ackSourceCode": "IA",
             "confirmedQuantity": "2.5"},
        ],
    }  # fmt: skip
    received = httpx.get(f"{mock_edi.url}/_mock/orders", timeout=10).json()
    assert any(us in json.dumps(order) and "PO-OUT-X12" in json.dumps(order) for order in received)


def test_an_edifact_partner_gets_orders_and_its_ordrsp_acknowledges_the_po(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "EDIFACT")
    release(hub, "PO-OUT-EDIFACT")

    sent = hub.worker.step()

    assert sent == 1
    seen = order_seen(hub, "PO-OUT-EDIFACT")
    assert [line["ackStatus"] for line in seen["lines"]] == ["accepted", "accepted"]
    assert [line["confirmedQuantity"] for line in seen["lines"]] == ["100", "2.5"]


def test_the_tracked_position_sends_each_po_once_with_the_partners_next_control_number(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-OUT-1")
    first = hub.worker.step()
    release(hub, "PO-OUT-2")

    second, third = hub.worker.step(), hub.worker.step()

    assert (first, second, third) == (1, 1, 0)
    orders = [control for _, partner, control, _ in hub.worker.documents.sent()]
    acks = [control for _, _, control, _ in hub.worker.acks.written()]
    # Our 997s for the mock's answers to the first PO take numbers between the two 850s:
    # one counter per partner, nothing reused and nothing skipped.
    assert orders[0] == 1 and orders[1] > 2
    assert sorted(orders + acks) == list(
        range(1, hub.worker.documents.last_control("mock-edi") + 1)
    )


def test_a_partner_that_is_down_is_retried_from_the_same_po_with_the_same_document(
    hub: Hub, mock_edi: MockEdi
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}/edi"
    trade_with(hub, mock_edi, "X12", url=down)
    release(hub, "PO-OUT-DOWN")

    with pytest.raises(OSError) as failure:
        hub.worker.step()
    profile = hub.partners / "mock-edi.json"
    up = {**json.loads(profile.read_text()), "url": f"{mock_edi.url}/edi"}
    profile.write_text(json.dumps(up))
    sent = hub.worker.step()

    assert is_transient(failure.value)
    assert sent == 1
    assert [control for _, _, control, _ in hub.worker.documents.sent()] == [1]
    assert order_seen(hub, "PO-OUT-DOWN")["lines"][0]["ackStatus"] == "accepted"


def test_the_mocks_answers_are_kept_byte_for_byte_and_the_events_they_caused_point_at_them(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-OUT-KEPT")
    hub.worker.step()

    history = hub.client.get(
        "/api/v1/purchase-orders/PO-OUT-KEPT/history", headers=hub.auditor
    ).json()["events"]
    (acknowledged,) = [event for event in history if event["event"] == "Acknowledged"]
    where = f"/api/v1/edi/payloads/{acknowledged['payload_ref']}"
    kept = hub.client.get(where, headers=hub.auditor)
    refused = hub.client.get(where, headers=hub.buyer)

    assert acknowledged["channel"] == "x12"
    assert kept.status_code == 200
    assert acknowledged["payload_ref"] == f"sha256:{hashlib.sha256(kept.content).hexdigest()}"
    assert b"ST*855*" in kept.content and b"PO-OUT-KEPT" in kept.content
    assert refused.status_code == 403


def test_edi_show_prints_the_850_the_worker_sent_as_it_went_out(
    hub: Hub,
    mock_edi: MockEdi,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-OUT-SHOW")
    hub.worker.step()
    ((position, *_),) = hub.worker.documents.sent()
    sent = hub.worker.documents.document(position)

    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(hub.partners.parent))

    status = main(["edi", "show", f"sha256:{hashlib.sha256(sent).hexdigest()}"])
    shown = capsysbinary.readouterr().out
    missing = main(["edi", "show", "sha256:" + "0" * 64])

    assert status == 0
    assert shown == sent
    assert b"BEG*00*SA*PO-OUT-SHOW" in shown
    assert missing == 1


def test_corrupt_the_mocks_broken_documents_are_parked_and_rejected_in_our_997_by_position(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us = trade_with(hub, mock_edi, "X12", behaviour="corrupt")
    release(hub, "PO-OUT-CORRUPT")

    hub.worker.step()

    parked = hub.worker.documents.parked()
    assert len(parked) == 3  # its 855, 856 and 810, each with a wrong SE01
    assert all(p == "mock-edi" and "SE01 is" in reason for _, p, reason, _ in parked)
    assert order_seen(hub, "PO-OUT-CORRUPT")["acknowledgedRevision"] == 0
    documents = httpx.get(f"{mock_edi.url}/_mock/documents?partner={us}", timeout=10).json()
    answered = {d["code"]: d["ack_status"] for d in documents if d["direction"] == "out"}
    assert answered == {"997": "", "855": "rejected", "856": "rejected", "810": "rejected"}
    received = httpx.get(f"{mock_edi.url}/_mock/interchanges", timeout=10).json()
    ours = [e for e in received if e["partner"] == us and e["direction"] == "in"]
    (first_ack, *_) = [e for e in ours if e["control"] != "000000001"]  # not our 850
    ack = httpx.get(f"{mock_edi.url}/_mock/interchanges/{first_ack['id']}?raw", timeout=10)
    assert b"AK5*R*4~" in ack.content  # 717 code 4: the segment count does not match
    assert mock_edi.validate(ack.content)["clean"] is True


def test_the_same_broken_interchange_again_is_parked_once_and_gets_the_same_997(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12", behaviour="corrupt")
    release(hub, "PO-OUT-AGAIN")
    hub.worker.step()
    ref = hub.worker.documents.parked()[0][0]
    before = [control for _, _, control, _ in hub.worker.documents.sent()]
    numbers = hub.worker.documents.last_control("mock-edi")

    hub.worker.receive("mock-edi", hub.worker.payloads.get(ref))

    assert [each[0] for each in hub.worker.documents.parked()].count(ref) == 1
    assert hub.worker.documents.last_control("mock-edi") == numbers
    assert [control for _, _, control, _ in hub.worker.documents.sent()] == before


def test_corrupt_an_edifact_partners_broken_messages_get_our_rejecting_contrl(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us = trade_with(hub, mock_edi, "EDIFACT", behaviour="corrupt")
    release(hub, "PO-OUT-CONTRL")

    hub.worker.step()

    parked = hub.worker.documents.parked()
    assert parked and all("UNT 0074" in reason for _, _, reason, _ in parked)
    received = httpx.get(f"{mock_edi.url}/_mock/interchanges", timeout=10).json()
    ours = [e for e in received if e["partner"] == us and e["direction"] == "in"]
    (first_ack, *_) = [e for e in ours if e["control"] != "1"]  # not our ORDERS
    ack = httpx.get(f"{mock_edi.url}/_mock/interchanges/{first_ack['id']}?raw", timeout=10)
    assert b"CONTRL" in ack.content and b"+4+29'" in ack.content  # 0085 29: count differs
    assert mock_edi.validate(ack.content)["clean"] is True


def test_edi_parked_lists_each_refused_interchange_with_its_reason_for_operations(
    hub: Hub,
    mock_edi: MockEdi,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trade_with(hub, mock_edi, "X12", behaviour="corrupt")
    release(hub, "PO-OUT-PARKED")
    hub.worker.step()
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(hub.partners.parent))

    status = main(["edi", "parked"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert len(lines) == 3
    assert all(" mock-edi  sha256:" in line and "SE01 is" in line for line in lines)


def test_short_ship_lines_confirmed_short_and_shipped_short_are_variances(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "short-ship", "PO-B-SHORT")

    assert lines_of(seen, "ackStatus", "ackSourceCode", "confirmedQuantity", "shippedQuantity") == [
        ("accepted_with_changes", "IQ", "80", "80"), ("accepted_with_changes", "IQ", "2", "2"),
    ]  # fmt: skip
    assert {"tolerance_breach", "quantity_variance"} <= categories(seen, "PO-B-SHORT")


def test_over_ship_more_shipped_than_confirmed_is_an_over_shipment_case(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "over-ship", "PO-B-OVER")

    assert lines_of(seen, "confirmedQuantity", "shippedQuantity") == [("100", "130"), ("2.5", "4")]
    assert "over_shipment" in categories(seen, "PO-B-OVER")


def test_reject_line_the_rejected_line_is_rejected_and_never_shipped(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "reject-line", "PO-B-REJECT-LINE")

    assert lines_of(seen, "ackStatus", "ackSourceCode", "shippedQuantity") == [
        ("accepted", "IA", "100"), ("rejected", "IR", "0"),
    ]  # fmt: skip
    assert "line_rejected" in categories(seen, "PO-B-REJECT-LINE")


def test_reject_all_every_line_is_rejected(hub: Hub, mock_edi: MockEdi) -> None:
    seen = after_trading(hub, mock_edi, "reject-all", "PO-B-REJECT-ALL")

    assert lines_of(seen, "ackStatus") == [("rejected",), ("rejected",)]
    assert "line_rejected" in categories(seen, "PO-B-REJECT-ALL")


def test_duplicate_invoice_the_second_invoice_is_a_duplicate_case_not_invoiced_twice(
    hub: Hub, mock_edi: MockEdi
) -> None:
    after_trading(hub, mock_edi, "duplicate-invoice", "PO-B-DUP-INVOICE")
    # The second copy is due a moment later: the mock releases it now, the worker collects it.
    httpx.post(f"{mock_edi.url}/_mock/advance?all", timeout=10).raise_for_status()
    hub.worker.step()
    seen = after_trading(hub, mock_edi, "", "PO-B-DUP-INVOICE")

    assert lines_of(seen, "invoicedQuantity") == [("100",), ("2.5",)]
    assert "duplicate_invoice" in categories(seen, "PO-B-DUP-INVOICE")


def test_out_of_order_an_invoice_and_ship_notice_before_the_855_end_as_if_in_order(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path
) -> None:
    (tmp_path / "in-order").mkdir()
    with trading_hub(tmp_path / "in-order") as in_order:
        expected = after_trading(in_order, mock_edi, "accept", "PO-B-OUT-OF-ORDER")

    seen = after_trading(hub, mock_edi, "out-of-order", "PO-B-OUT-OF-ORDER")

    fields = ("ackStatus", "confirmedQuantity", "shippedQuantity", "invoicedQuantity")
    assert lines_of(seen, *fields) == lines_of(expected, *fields) == [
        ("accepted", "100", "100", "100"), ("accepted", "2.5", "2.5", "2.5"),
    ]  # fmt: skip
    # The same cases as in order (order changes no rule's outcome, so nothing is held).
    both = [sorted((c["category"], c["reason"]) for c in each["exceptions"]["items"])
            for each in (seen, expected)]  # fmt: skip
    assert both[0] == both[1]
    assert {category for category, _ in both[0]} == {"tolerance_breach", "quantity_variance"}


def test_no_invoice_the_order_is_shipped_and_stays_uninvoiced(hub: Hub, mock_edi: MockEdi) -> None:
    seen = after_trading(hub, mock_edi, "no-invoice", "PO-B-NO-INVOICE")

    assert lines_of(seen, "shippedQuantity", "invoicedQuantity") == [("100", "0"), ("2.5", "0")]


def test_reject_ack_a_partner_rejecting_our_850_leaves_the_order_unacknowledged(
    hub: Hub, mock_edi: MockEdi
) -> None:
    seen = after_trading(hub, mock_edi, "reject-ack", "PO-B-REJECT-ACK")

    assert seen["purchaseOrder"]["acknowledgedRevision"] == 0
    assert lines_of(seen, "ackStatus") == [("pending",), ("pending",)]


def test_a_revision_goes_out_as_a_replacement_850_and_a_cancellation_as_a_cancelling_one(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")
    release(hub, "PO-OUT-REV")
    line = {"line_number": 1, "item": "WIDGET-001", "quantity": "60", "uom": "EA",
            "unit_price": "12.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"}  # fmt: skip
    revised = hub.client.post(
        "/api/v1/purchase-orders/PO-OUT-REV/revisions",
        json={"revision": 2, "lines": [line]},
        headers={**hub.connector, "Idempotency-Key": "rev-2"},
    )
    cancelled = hub.client.post(
        "/api/v1/purchase-orders/PO-OUT-REV/cancellation",
        json={"reason": "not needed"},
        headers={**hub.connector, "Idempotency-Key": "cancel"},
    )
    assert (revised.status_code, cancelled.status_code) == (200, 200), revised.text

    sent = hub.worker.step()

    documents = hub.worker.documents
    written = [(control, documents.document(p)) for p, _, control, _ in documents.sent()]
    assert sent == 3
    assert [control for control, _ in written] == [1, 2, 3]
    assert b"BEG*00*SA*PO-OUT-REV" in written[0][1]
    assert b"BEG*05*SA*PO-OUT-REV" in written[1][1] and b"PO1*1*60*EA" in written[1][1]
    assert b"BEG*01*SA*PO-OUT-REV" in written[2][1]
