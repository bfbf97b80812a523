"""A supplier's answer to a PO, whichever channel it came by (X12 855, EDIFACT ORDRSP, cXML
ConfirmationRequest): the acknowledgement of every line, and a ProposeChange for each line
accepted with another quantity or delivery date, or split into several deliveries.

A line accepted with a quantity other than the one ordered (not 0: no commitment) is accepted
with changes whatever code said "accept": the supplier commits to less (or more) than ordered.

The channels read their own codes and elements into `LineAnswer`s; what the answer means to
the hub is decided here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from domain.acknowledgement import AckStatus
from domain.commands import AcknowledgePurchaseOrder, LineAnswer, ProposeChange
from domain.order_line import ScheduleLine

Answered = tuple[LineAnswer, Decimal | None]  # a line's answer and the quantity it says was ordered


def acknowledgement(
    po_number: str,
    revision: int,
    answered: Iterable[Answered],
    proposal: Callable[[int], str],
    reason: str,
    splits: Mapping[int, tuple[ScheduleLine, ...]] | None = None,
) -> tuple[AcknowledgePurchaseOrder, list[ProposeChange]]:
    """The acknowledgement, and the changes proposed; ``proposal`` names a line's proposal
    (the same whenever the same document comes again), ``reason`` is followed by the code;
    ``splits``: the deliveries a line is confirmed in, by line number, when more than one."""
    answers: list[LineAnswer] = []
    changes: list[ProposeChange] = []
    for answered_line, ordered in answered:
        answer = _partial(answered_line, ordered)
        answers.append(answer)
        schedule = (splits or {}).get(answer.line_number, ())
        if len(schedule) > 1:
            changes.append(ProposeChange(
                po_number, revision, answer.line_number, proposal(answer.line_number),
                splits=schedule, reason=f"{reason} {answer.source_code}",
            ))  # fmt: skip
            continue
        change = _change(answer, ordered, po_number, revision, proposal, reason)
        if change is not None:
            changes.append(change)
    return AcknowledgePurchaseOrder(po_number, revision, tuple(answers)), changes


def _partial(answer: LineAnswer, ordered: Decimal | None) -> LineAnswer:
    quantity = answer.confirmed_quantity
    if answer.status is not AckStatus.ACCEPTED or quantity is None or ordered is None:
        return answer
    if quantity in (ordered, 0):
        return answer
    return replace(answer, status=AckStatus.ACCEPTED_WITH_CHANGES)


def _change(
    answer: LineAnswer,
    ordered: Decimal | None,
    po_number: str,
    revision: int,
    proposal: Callable[[int], str],
    reason: str,
) -> ProposeChange | None:
    if answer.status is not AckStatus.ACCEPTED_WITH_CHANGES:
        return None
    quantity = answer.confirmed_quantity
    if quantity is not None and (quantity == ordered or quantity == 0):
        quantity = None
    if quantity is None and answer.confirmed_date is None:
        return None
    return ProposeChange(
        po_number, revision, answer.line_number, proposal(answer.line_number), quantity,
        answer.confirmed_date, reason=f"{reason} {answer.source_code}",
    )  # fmt: skip
