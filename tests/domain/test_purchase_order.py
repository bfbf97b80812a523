"""The purchase order aggregate, given/when/then, without any store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from given import NEED_BY, envelope, line, lines

from domain.acknowledgement import AckStatus, LineResponse
from domain.change_proposal import ChangeProposal
from domain.errors import ConflictError, ValidationError
from domain.order_line import LineQuantity, ScheduleLine
from domain.purchase_order import PurchaseOrder, PurchaseOrderClosedError
from domain.tolerance import DEFAULT_TOLERANCE


def released(count: int = 2) -> PurchaseOrder:
    return PurchaseOrder.release("4500000001", "SUP-A", "EUR", lines(count), envelope())


def accepted(number: int) -> LineResponse:
    return LineResponse(number, AckStatus.ACCEPTED, "IA")


def event_names(po: PurchaseOrder) -> list[str]:
    return [type(e).__name__ for e in po.collect_events()]


def test_a_released_order_starts_at_revision_one_with_its_lines() -> None:
    po = released(3)

    assert po.revision == 1
    assert po.status == "open"
    assert sorted(po.lines) == [10, 20, 30]
    assert event_names(po) == ["Released"]


@pytest.mark.parametrize(
    ("bad_lines", "field"),
    [
        ((), "lines"),
        ((line(10), line(10)), "lines"),
        ((line(10, quantity="0"),), "lines[0].quantity"),
        ((line(10, price="-1"),), "lines[0].unit_price"),
        ((line(10, ship_to=" "),), "lines[0].ship_to"),
        ((line(0),), "lines[0].line_number"),
        ((line(10), line(20, item="")), "lines[1].item"),
        ((line(10, schedule=(ScheduleLine(Decimal(60), NEED_BY),)),), "lines[0].schedule"),
    ],
)
def test_a_release_with_bad_lines_is_refused_naming_the_field(
    bad_lines: tuple[object, ...], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        PurchaseOrder.release("4500000001", "SUP-A", "EUR", bad_lines, envelope())  # type: ignore[arg-type]

    assert refused.value.field == field


def test_a_revision_replaces_the_lines_and_asks_for_a_new_acknowledgement() -> None:
    po = released()
    po.acknowledge(1, (accepted(10), accepted(20)), envelope())

    po.revise(2, (line(10, quantity="120"), line(30)), envelope())

    assert po.revision == 2
    assert sorted(po.lines) == [10, 30]
    assert po.lines[10].quantity == Decimal("120")
    assert po.responses == {}


def test_a_revision_that_is_not_newer_is_a_conflict() -> None:
    po = released()
    po.revise(2, lines(), envelope())

    with pytest.raises(ConflictError):
        po.revise(2, lines(), envelope())


def test_a_revision_that_skips_a_number_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        released().revise(3, lines(), envelope())

    assert refused.value.field == "revision"


def test_an_answer_to_an_older_revision_is_stale_and_changes_nothing_but_the_record() -> None:
    po = released()
    po.revise(2, lines(), envelope())
    po.collect_events()

    assert po.is_stale(1)
    po.record_stale_response("acknowledgement", 1, envelope())

    assert event_names(po) == ["StaleResponseRecorded"]
    assert po.responses == {}


def test_an_acknowledgement_of_a_line_not_on_the_order_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        released().acknowledge(1, (accepted(99),), envelope())

    assert refused.value.field == "line_number"


def test_an_accepted_line_with_a_confirmed_date_becomes_the_commitment() -> None:
    po = released()
    later = NEED_BY + timedelta(days=1)

    po.acknowledge(
        1,
        (LineResponse(10, AckStatus.ACCEPTED_WITH_CHANGES, "DR", confirmed_date=later),),
        envelope(),
    )

    assert po.commitments[10][0].need_by == later
    assert po.responses[10].source_code == "DR"


def test_a_cancelled_order_refuses_further_answers() -> None:
    po = released()
    po.cancel("MRP run replaced it", envelope())

    with pytest.raises(PurchaseOrderClosedError):
        po.acknowledge(1, (accepted(10),), envelope())


def test_a_change_inside_tolerance_applies_and_one_outside_is_escalated() -> None:
    po = released()
    small = ChangeProposal("CP-1", 1, 10, need_by=NEED_BY + timedelta(days=1))
    large = ChangeProposal("CP-2", 1, 20, quantity=Decimal("50"))

    assert po.propose_change(small, DEFAULT_TOLERANCE, envelope()) == ()
    breaches = po.propose_change(large, DEFAULT_TOLERANCE, envelope())

    assert breaches and "deviates 50.0%" in breaches[0]
    assert event_names(po)[-2:] == ["ChangeApplied", "ChangeEscalated"]
    assert 20 not in po.commitments


def test_an_escalated_change_applies_only_once_the_buyer_approves() -> None:
    po = released()
    po.propose_change(
        ChangeProposal("CP-2", 1, 20, quantity=Decimal("50")), DEFAULT_TOLERANCE, envelope()
    )

    po.approve_change("CP-2", envelope())

    assert po.commitments[20][0].quantity == Decimal("50")


def test_receipts_add_up_per_line_and_open_quantity_never_goes_negative() -> None:
    po = released()

    po.record_receipt("GR-1", (LineQuantity(10, Decimal("60")),), envelope())
    po.record_receipt("GR-2", (LineQuantity(10, Decimal("60")),), envelope())

    assert po.received[10] == Decimal("120")
    assert po.open_quantity(10) == Decimal("0")
