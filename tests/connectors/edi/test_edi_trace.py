"""An order's trace across channels: the 850 / ORDERS the EDI worker sent to mock-edi, caused
by the order's release, its raw bytes a link, and the partner's 997 / CONTRL, caused by it,
between the release and the 855 / ORDRSP that acknowledged the order."""

from __future__ import annotations

from typing import Any

import pytest
from edi_partner import MockEdi
from edi_trading import Hub, release, trade_with

pytestmark = pytest.mark.mock_edi


def trace_of(hub: Hub, number: str) -> list[dict[str, Any]]:
    hub.read_side.runner.catch_up()
    answer = hub.client.get(f"/console/purchase-orders/{number}/trace", headers=hub.buyer)
    assert answer.status_code == 200, answer.text
    steps: list[dict[str, Any]] = answer.json()["steps"]
    return steps


@pytest.mark.parametrize(
    ("dialect", "sent", "answer"),
    [("X12", "X12 850 ", "997 accepted"), ("EDIFACT", "EDIFACT ORDERS ", "CONTRL accepted")],
)
def test_the_order_sent_and_the_partners_functional_ack_are_steps_of_its_trace(
    hub: Hub, mock_edi: MockEdi, dialect: str, sent: str, answer: str
) -> None:
    number = f"PO-TRACE-{dialect}"
    trade_with(hub, mock_edi, dialect)
    release(hub, number)

    assert hub.worker.step() == 1
    steps = trace_of(hub, number)

    events = [step["event"] for step in steps]
    out = next(s for s in steps if s["kind"] == "sent")
    ack = next(s for s in steps if s["kind"] == "answer")
    released = next(s for s in steps if s["event"] == "PurchaseOrder.Released")
    assert out["event"].startswith(sent) and out["event"].endswith(" sent to mock-edi")
    assert (out["channel"], out["actor"], out["document"]) == ("edi", "hub", f"po:{number}")
    # Caused by the release, in its correlation; the partner's ack caused by the document
    assert out["causation_id"] == released["message_id"]
    assert out["correlation_id"] == released["correlation_id"] != ""
    assert ack["event"].startswith(answer)
    assert (ack["actor"], ack["causation_id"]) == ("mock-edi", out["message_id"])
    assert events.index("PurchaseOrder.Released") < events.index(out["event"])
    assert events.index(out["event"]) < events.index("PurchaseOrder.Acknowledged")
    # The bytes that went out, one link away (auditor)
    raw = hub.client.get(f"/api/v1/edi/payloads/{out['payload_ref']}", headers=hub.auditor)
    assert raw.status_code == 200, raw.text
    assert number.encode() in raw.content
    assert raw.content.lstrip().startswith(b"ISA" if dialect == "X12" else b"UN")


def test_an_order_no_partner_trades_by_edi_has_only_its_events(hub: Hub, mock_edi: MockEdi) -> None:
    release(hub, "PO-TRACE-NONE")  # no profile: nothing is sent

    hub.worker.step()

    assert {step["kind"] for step in trace_of(hub, "PO-TRACE-NONE")} == {"event"}
