"""A supplier's answer to a PO, whichever channel it came by (X12 855, EDIFACT ORDRSP, cXML
ConfirmationRequest): the acknowledgement of every line, and a ProposeChange for each line
accepted with another quantity or delivery date.

The channels read their own codes and elements into `LineAnswer`s; what the answer means to
the hub is decided here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from domain.acknowledgement import AckStatus
from domain.commands import AcknowledgePurchaseOrder, LineAnswer, ProposeChange

Answered = tuple[LineAnswer, Decimal | None]  # a line's answer and the quantity it says was ordered


def acknowledgement(
    po_number: str,
    revision: int,
    answered: Iterable[Answered],
    proposal: Callable[[int], str],
    reason: str,
) -> tuple[AcknowledgePurchaseOrder, list[ProposeChange]]:
    """The acknowledgement, and the changes proposed; ``proposal`` names a line's proposal
    (the same whenever the same document comes again), ``reason`` is followed by the code."""
    answers: list[LineAnswer] = []
    changes: list[ProposeChange] = []
    for answer, ordered in answered:
        answers.append(answer)
        change = _change(answer, ordered, po_number, revision, proposal, reason)
        if change is not None:
            changes.append(change)
    return AcknowledgePurchaseOrder(po_number, revision, tuple(answers)), changes


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
