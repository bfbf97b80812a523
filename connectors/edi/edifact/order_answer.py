"""ORDRSP -> AcknowledgePurchaseOrder, and a ProposeChange for each line the seller accepts
with another quantity or date.

RFF ON is the PO (C506 1154) and the revision it answers (1060, the first without one). A
line is LIN 1082; its status LIN 1229 through the code table, or, when the line has none,
the whole message's: BGM 1225 (message function) or else BGM 4343 (response type). QTY 113
is the quantity to be delivered, QTY 21 the one ordered, DTM 67 / 69 the delivery date,
PRI AAA the net price.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.edi.edifact.codes import LINE_ACTION, MESSAGE_FUNCTION, RESPONSE_TYPE
from connectors.edi.edifact.fields import EDIFACT, dated, reference, split
from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import Fault
from connectors.edi.translation import Place, Translation, first, places, proposal_id
from connectors.gateway.order_answer import acknowledgement
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.acknowledgement import AckStatus
from domain.commands import LineAnswer
from domain.limits import QuantityOrZero, Revision


def translate_ordrsp(document: Message, profile: PartnerProfile) -> Translation:
    rows = list(places(EDIFACT, document.segments, document.position))
    bgm = first(rows, "BGM")
    head, lines = split(rows, "LIN")
    order = reference(head, "ON")
    if order is None:
        rule = "no RFF ON names the order this message answers"
        raise bgm.fail("RFF 1153", rule, Fault.SEGMENT_MISSING, value="RFF")
    po_number = order.document_number("RFF 1154", 1, 2)
    revision = 1
    if order.segment.get(1, 5):
        revision = order.within("RFF 1060", order.line_number("RFF 1060", 1, 5), Revision)
    header = _header_status(bgm, profile)
    if not lines:
        rule = "the message answers no line: the hub acknowledges line by line"
        raise bgm.fail("LIN", rule, Fault.SEGMENT_MISSING, value="LIN")
    mark = document.syntax.decimal
    # Stable across a resend of the same interchange, so the proposal is not made twice.
    interchange = document.interchange.get(5)
    acknowledge, changes = acknowledgement(
        po_number, revision,
        (_answer(line, header, bgm, profile, mark) for line in lines),
        lambda line: proposal_id(interchange, document.reference, line), "ORDRSP LIN 1229",
    )  # fmt: skip
    return Translation(
        EDIFACT, "ORDRSP", document.reference, document.position, (acknowledge, *changes)
    )


def _header_status(bgm: Place, profile: PartnerProfile) -> tuple[AckStatus, str] | None:
    function, response = bgm.segment.get(3), bgm.segment.get(4)
    for code, table, statuses in (
        (function, "EDIFACT 1225", MESSAGE_FUNCTION.statuses),
        (response, "EDIFACT 4343", RESPONSE_TYPE.statuses),
    ):
        if code:
            try:
                return profile.status(table, code, statuses), code
            except UnknownMappingError:
                continue
    return None


def _answer(
    line: list[Place],
    header: tuple[AckStatus, str] | None,
    bgm: Place,
    profile: PartnerProfile,
    mark: str,
) -> tuple[LineAnswer, Decimal | None]:
    lin = line[0]
    number = lin.line_number("LIN 1082", 1)
    code = lin.segment.get(2)
    if code:
        status = lin.status("LIN 1229", code, "EDIFACT 1229", LINE_ACTION.statuses, profile)
    elif header is not None:
        status, code = header
    else:
        said = f"BGM 1225 {bgm.segment.get(3)!r}, 4343 {bgm.segment.get(4)!r}"
        rule = f"is empty, and the message's own answer ({said}) is none"
        raise lin.fail("LIN 1229", rule, Fault.CONDITIONAL_MISSING, (2, 1))
    quantities = {row.segment.get(1, 1): row for row in line if row.segment.tag == "QTY"}
    ordered = quantities["21"].decimal("QTY 6060", 1, 2, mark) if "21" in quantities else None
    if status in (AckStatus.REJECTED, AckStatus.PENDING):
        return LineAnswer(number, status, code), ordered
    confirmed = None
    if "113" in quantities:
        qty = quantities["113"]
        confirmed = qty.within("QTY 6060", qty.decimal("QTY 6060", 1, 2, mark), QuantityOrZero)
        if qty.segment.get(1, 3):
            qty.mapped("QTY 6411", qty.segment.get(1, 3), profile.unit)
    when = dated(line, "67", "69")
    price = None
    for row in line:
        if row.segment.tag == "PRI" and row.segment.get(1, 1) == "AAA":
            price = row.price("PRI 5118", 1, 2, mark)
    return LineAnswer(number, status, code, confirmed, when, price), ordered
