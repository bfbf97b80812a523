"""855 Purchase Order Acknowledgment -> AcknowledgePurchaseOrder, and a ProposeChange for
each line the seller accepts with another quantity or date.

BAK03 is the PO; REF*PP (128 "purchase order revision number") the revision it answers, the
first (1) without one. A line's status is its first ACK01 (668) through the code table, or
BAK02 (587, the whole order's answer) when the line has no ACK.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.edi.translation import Place, Translation, first, places
from connectors.edi.x12.codes import ACKNOWLEDGMENT_TYPE, LINE_ITEM_STATUS
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.profile import PartnerProfile
from domain.acknowledgement import AckStatus
from domain.commands import AcknowledgePurchaseOrder, Command, LineAnswer, ProposeChange
from domain.limits import QuantityOrZero, Revision

X12 = "X12"
# 374 date/time qualifiers in ACK04 that say when the line will be delivered.
_DELIVERY_DATES = frozenset({"067", "017", "002", "069"})


def translate_855(document: TransactionSet, profile: PartnerProfile) -> Translation:
    rows = list(places(X12, document.segments, document.position))
    bak = first(rows, "BAK")
    po_number = bak.document_number("BAK03", 3)
    revision = 1
    for row in rows:
        if row.segment.tag == "REF" and row.segment.get(1) == "PP":
            revision = row.within("REF02", int(row.line_number("REF02", 2)), Revision)
    lines = _lines(rows)
    if not lines:
        raise bak.fail("BAK02", "answers the whole order but the set has no PO1 line: the hub "
                       "acknowledges line by line")  # fmt: skip
    answers: list[LineAnswer] = []
    changes: list[Command] = []
    for po1, acks in lines:
        answer, ordered = _answer(po1, acks, bak, profile)
        answers.append(answer)
        change = _change(answer, ordered, po_number, revision, document)
        if change is not None:
            changes.append(change)
    acknowledge = AcknowledgePurchaseOrder(po_number, revision, tuple(answers))
    return Translation(X12, "855", document.control, document.position, (acknowledge, *changes))


def _lines(rows: list[Place]) -> list[tuple[Place, list[Place]]]:
    lines: list[tuple[Place, list[Place]]] = []
    for row in rows:
        if row.segment.tag == "PO1":
            lines.append((row, []))
        elif row.segment.tag == "ACK" and lines:
            lines[-1][1].append(row)
    return lines


def _answer(
    po1: Place, acks: list[Place], bak: Place, profile: PartnerProfile
) -> tuple[LineAnswer, Decimal | None]:
    number = po1.line_number("PO101", 1)
    ordered = po1.quantity("PO102", 2) if po1.segment.get(2) else None
    if po1.segment.get(3):
        po1.mapped("PO103", po1.segment.get(3), profile.unit)
    price = po1.price("PO104", 4) if po1.segment.get(4) else None
    if not acks:
        code = bak.required("BAK02", 2)
        status = bak.status("BAK02", code, "X12 587", ACKNOWLEDGMENT_TYPE.statuses, profile)
        return LineAnswer(number, status, code, confirmed_price=price), ordered
    ack = acks[0]
    code = ack.required("ACK01", 1)
    status = ack.status("ACK01", code, "X12 668", LINE_ITEM_STATUS.statuses, profile)
    if status in (AckStatus.REJECTED, AckStatus.PENDING):
        # Nothing is confirmed: a 0 here is no commitment to hold the seller to.
        return LineAnswer(number, status, code), ordered
    quantity = None
    if ack.segment.get(2):
        quantity = ack.within("ACK02", ack.decimal("ACK02", 2), QuantityOrZero)
        if ack.segment.get(3):
            ack.mapped("ACK03", ack.segment.get(3), profile.unit)
    when = None
    if ack.segment.get(4) in _DELIVERY_DATES and ack.segment.get(5):
        when = ack.day("ACK05", ack.segment.get(5))
    return LineAnswer(number, status, code, quantity, when, price), ordered


def _change(
    answer: LineAnswer,
    ordered: Decimal | None,
    po_number: str,
    revision: int,
    document: TransactionSet,
) -> ProposeChange | None:
    if answer.status is not AckStatus.ACCEPTED_WITH_CHANGES:
        return None
    quantity = answer.confirmed_quantity
    if quantity is not None and (quantity == ordered or quantity == 0):
        quantity = None
    if quantity is None and answer.confirmed_date is None:
        return None
    # Stable across a resend of the same interchange, so the proposal is not made twice.
    proposal = f"{document.interchange.get(13)}-{document.control}-{answer.line_number}"
    reason = f"855 ACK01 {answer.source_code}"
    return ProposeChange(
        po_number, revision, answer.line_number, proposal, quantity, answer.confirmed_date,
        reason=reason,
    )  # fmt: skip
