"""A revision or cancellation as an 860 (X12) or ORDCHG (EDIFACT) for a partner whose profile
asks for changes: only the changed lines, each with its code from the standard's list (670 in
the POC, 1229 in the LIN), passing mock-edi's validator and read back by our reader."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from edi_partner import MockEdi
from edi_trading import Hub, release, trade_with

from connectors.edi.edifact.reader import read_messages
from connectors.edi.order import OrderLine, OutboundOrder
from connectors.edi.order_change import ChangeKind, line_changes
from connectors.edi.x12.reader import read_sets


def revise_and_cancel(hub: Hub, number: str) -> list[bytes]:
    """Revision 2 keeps line 1 at 60 (was 100) and drops line 2; then the PO is cancelled.
    The documents the worker wrote for the release, the revision and the cancellation."""
    release(hub, number)
    line = {"line_number": 1, "item": "WIDGET-001", "quantity": "60", "uom": "EA",
            "unit_price": "12.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"}  # fmt: skip
    revised = hub.client.post(
        f"/api/v1/purchase-orders/{number}/revisions",
        json={"revision": 2, "lines": [line]},
        headers={**hub.connector, "Idempotency-Key": f"rev-{number}"},
    )
    cancelled = hub.client.post(
        f"/api/v1/purchase-orders/{number}/cancellation",
        json={"reason": "not needed"},
        headers={**hub.connector, "Idempotency-Key": f"cancel-{number}"},
    )
    assert (revised.status_code, cancelled.status_code) == (200, 200), revised.text
    hub.worker.step()
    documents = hub.worker.documents
    return [documents.document(position) for position, *_ in documents.sent()]


def asks_for_changes(hub: Hub) -> None:
    path = hub.partners / "mock-edi.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "edi": {"revisions": "change"}}))


@pytest.mark.mock_edi
def test_a_revision_goes_out_as_an_860_of_the_changed_lines_and_a_cancellation_as_bch_01(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")
    asks_for_changes(hub)

    order, revision, cancellation = revise_and_cancel(hub, "PO-CHG-X12")

    assert b"ST*850*" in order
    assert b"BCH*04*SA*PO-CHG-X12**2*" in revision  # BCH05: the hub's revision
    assert b"POC*1*QD*60**EA*12.5**BP*WIDGET-001~DTM*002*20261220~" in revision
    assert b"POC*2*DI******BP*GEAR-100~CTT*2~" in revision
    assert b"BCH*01*SA*PO-CHG-X12**2*" in cancellation and b"POC" not in cancellation
    for document in (revision, cancellation):
        assert mock_edi.validate(document)["clean"] is True, mock_edi.validate(document)
        (read,) = read_sets([document])
        assert read.code == "860"
    assert [s.tag for s in next(iter(read_sets([revision]))).segments].count("POC") == 2


@pytest.mark.mock_edi
def test_an_edifact_revision_goes_out_as_an_ordchg_with_1229_line_actions(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "EDIFACT")
    asks_for_changes(hub)

    order, revision, cancellation = revise_and_cancel(hub, "PO-CHG-EDIFACT")

    assert b"ORDERS:D:96A:UN" in order
    assert b"BGM+230+PO-CHG-EDIFACT+4'" in revision and b"RFF+ON:PO-CHG-EDIFACT::2'" in revision
    assert b"LIN+1+3+WIDGET-001:IN'QTY+21:60:PCE'" in revision  # 3: changed
    assert b"LIN+2+2+GEAR-100:IN'UNS+S'" in revision  # 2: deleted
    assert b"BGM+230+PO-CHG-EDIFACT+1'" in cancellation
    for document in (revision, cancellation):
        assert mock_edi.validate(document)["clean"] is True, mock_edi.validate(document)
        (read,) = read_messages([document])
        assert read.type == "ORDCHG"


@pytest.mark.mock_edi
def test_without_the_profiles_ask_a_revision_is_still_a_replacement_850(
    hub: Hub, mock_edi: MockEdi
) -> None:
    trade_with(hub, mock_edi, "X12")

    _, revision, _ = revise_and_cancel(hub, "PO-CHG-DEFAULT")

    assert b"ST*850*" in revision and b"BEG*05*SA*PO-CHG-DEFAULT" in revision


def line(number: int, quantity: str = "10", price: str = "2", day: int = 20) -> OrderLine:
    return OrderLine(number, f"ITEM-{number}", Decimal(quantity), "EA", Decimal(price),
                     date(2026, 12, day))  # fmt: skip


def order(*lines: OrderLine) -> OutboundOrder:
    return OutboundOrder("PO-1", 0, date(2026, 12, 1), "US", "THEM", lines)


def test_each_changed_line_is_named_by_what_changed_and_unchanged_lines_are_left_out() -> None:
    before = order(line(1), line(2), line(3), line(4), line(5), line(6))
    after = order(
        line(1), line(2, quantity="12"), line(3, quantity="8"), line(4, price="3"),
        line(5, day=22), line(6, quantity="1", price="1"), line(7),
    )  # fmt: skip

    changes = line_changes(before, after)

    assert [(c.line.line_number, c.kind) for c in changes] == [
        (2, ChangeKind.QUANTITY_INCREASED), (3, ChangeKind.QUANTITY_DECREASED),
        (4, ChangeKind.PRICE_CHANGED), (5, ChangeKind.RESCHEDULED), (6, ChangeKind.CHANGED),
        (7, ChangeKind.ADDED),
    ]  # fmt: skip
    assert [(c.line.line_number, c.kind) for c in line_changes(after, before)][-1] == (
        7, ChangeKind.DELETED,
    )  # fmt: skip
