"""855 Purchase Order Acknowledgment and 865 Purchase Order Change Acknowledgment ->
AcknowledgePurchaseOrder, and a ProposeChange for each line the seller accepts with another
quantity or date.

855: BAK03 is the PO; REF*PP (128 "purchase order revision number") the revision it answers,
the first (1) without one; each PO1 a line (PO101 number, PO102 quantity, PO103 unit, PO104
price). 865: BCA03 the PO, BCA05 (change order sequence number) the revision; each POC a line
(POC01 number, POC03 quantity, POC05 unit, POC06 price). A line's status is its first ACK01
(668) through the code table, or BAK02 / BCA02 (587, the whole order's answer) when the line
has no ACK; ACK02 the quantity confirmed, ACK05 the date when ACK04 says it is a delivery's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from connectors.edi.errors import Fault
from connectors.edi.translation import Place, Translation, first, places, proposal_id
from connectors.edi.x12.codes import ACKNOWLEDGMENT_TYPE, LINE_ITEM_STATUS
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.order_answer import acknowledgement
from connectors.gateway.profile import PartnerProfile
from domain.acknowledgement import AckStatus
from domain.commands import LineAnswer
from domain.limits import QuantityOrZero, Revision

X12 = "X12"
# 374 date/time qualifiers in ACK04 that say when the line will be delivered.
_DELIVERY_DATES = frozenset({"067", "017", "002", "069"})


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the answer's values are: the header and line segments and their elements."""

    header: str
    line: str
    quantity: int
    unit: int
    price: int


_855 = _Layout("BAK", "PO1", 2, 3, 4)
_865 = _Layout("BCA", "POC", 3, 5, 6)


def translate_855(document: TransactionSet, profile: PartnerProfile) -> Translation:
    return _translate(document, profile, _855)


def translate_865(document: TransactionSet, profile: PartnerProfile) -> Translation:
    return _translate(document, profile, _865)


def _translate(document: TransactionSet, profile: PartnerProfile, layout: _Layout) -> Translation:
    rows = list(places(X12, document.segments, document.position))
    bak = first(rows, layout.header)
    po_number = bak.document_number(f"{layout.header}03", 3)
    revision = 1
    if layout is _865 and bak.segment.get(5):
        revision = bak.within("BCA05", bak.line_number("BCA05", 5), Revision)
    for row in rows:
        if layout is _855 and row.segment.tag == "REF" and row.segment.get(1) == "PP":
            revision = row.within("REF02", row.line_number("REF02", 2), Revision)
    lines = _lines(rows, layout)
    if not lines:
        raise bak.fail(f"{layout.header}02", f"answers the whole order but the set has no "
                       f"{layout.line} line: the hub acknowledges line by line",
                       Fault.SEGMENT_MISSING, value=layout.line)  # fmt: skip
    # Stable across a resend of the same interchange, so the proposal is not made twice.
    interchange = document.interchange.get(13)
    acknowledge, changes = acknowledgement(
        po_number, revision,
        (_answer(po1, acks, bak, profile, layout) for po1, acks in lines),
        lambda line: proposal_id(interchange, document.control, line), f"{document.code} ACK01",
    )  # fmt: skip
    return Translation(
        X12, document.code, document.control, document.position, (acknowledge, *changes)
    )


def _lines(rows: list[Place], layout: _Layout) -> list[tuple[Place, list[Place]]]:
    lines: list[tuple[Place, list[Place]]] = []
    for row in rows:
        if row.segment.tag == layout.line:
            lines.append((row, []))
        elif row.segment.tag == "ACK" and lines:
            lines[-1][1].append(row)
    return lines


def _answer(
    po1: Place, acks: list[Place], bak: Place, profile: PartnerProfile, layout: _Layout
) -> tuple[LineAnswer, Decimal | None]:
    tag, values = layout.line, po1.segment
    number = po1.line_number(f"{tag}01", 1)
    ordered = (
        po1.quantity(f"{tag}{layout.quantity:02d}", layout.quantity)
        if values.get(layout.quantity)
        else None
    )
    if values.get(layout.unit):
        po1.mapped(f"{tag}{layout.unit:02d}", values.get(layout.unit), profile.unit)
    price = (
        po1.price(f"{tag}{layout.price:02d}", layout.price) if values.get(layout.price) else None
    )
    if not acks:
        element = f"{layout.header}02"
        code = bak.required(element, 2)
        status = bak.status(element, code, "X12 587", ACKNOWLEDGMENT_TYPE.statuses, profile)
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
