"""ConfirmationRequest -> AcknowledgePurchaseOrder, and a ProposeChange for each line the
supplier confirms with another quantity or delivery date (as the EDI 855 translation does).

``OrderReference@orderID`` is the PO; the revision answered is the one our OrderRequest's
payloadID carries (``DocumentReference@payloadID``, connectors/cxml/order_request.py), the
first without one. ``ConfirmationHeader@type``: accept and reject answer every line, so they
need the lines listed; detail, except and allDetail answer the ConfirmationItems given. An
item's ``ConfirmationStatus@type`` is its status (backordered too), with its quantity,
``deliveryDate`` and ``UnitPrice``; an item without one takes the header's type. An item with
several (part now, part later, part refused: the DTD has their quantities add up to the
item's) is one answer whose deliveries are the parts that deliver, each with its date: a
ProposeChange with that split when there are several, else with the quantity delivered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.cxml.codes import CONFIRMATION_STATUS
from connectors.cxml.node import Node
from connectors.gateway.order_answer import acknowledgement
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.acknowledgement import AckStatus
from domain.commands import Command, LineAnswer
from domain.limits import QuantityOrZero, Revision
from domain.order_line import ScheduleLine

TABLE = "cXML ConfirmationStatus"


def translate_confirmation(
    request: Node, profile: PartnerProfile, payload_id: str
) -> tuple[Command, ...]:
    header = request.child("ConfirmationHeader")
    header_type = header.required("type")
    header_status = _status(header, header_type, profile)
    reference = request.child("OrderReference")
    po_number = reference.document_number("orderID")
    revision = _revision(reference)
    items = list(request.children("ConfirmationItem"))
    if not items:
        raise header.fail(
            f"{header_type!r} answers the whole order but no ConfirmationItem lists its lines: "
            "the hub acknowledges line by line", "type",
        )  # fmt: skip
    # The same on every resend of the payload, so the proposal is not made twice.
    digest = hashlib.sha256(payload_id.encode()).hexdigest()[:24]
    lines = [_answer(item, header_type, header_status, profile) for item in items]
    acknowledge, changes = acknowledgement(
        po_number, revision, ((answer, ordered) for answer, ordered, _ in lines),
        lambda line: f"cxml-{digest}-{line}", "cXML ConfirmationStatus",
        splits={answer.line_number: schedule for answer, _, schedule in lines if schedule},
    )  # fmt: skip
    numbers = [answer.line_number for answer in acknowledge.lines]
    if len(set(numbers)) != len(numbers):
        raise request.fail("a line is confirmed twice: answer each lineNumber once")
    return (acknowledge, *changes)


def _revision(reference: Node) -> int:
    """``supplyhub:<po>:<revision>:...`` is how our OrderRequests name themselves."""
    document = reference.optional("DocumentReference")
    if document is None:
        return 1
    parts = document.attr("payloadID").split(":")
    if len(parts) >= 3 and parts[0] == "supplyhub" and parts[2].isdigit():
        return document.within(int(parts[2]), Revision, "payloadID")
    return 1


def _status(node: Node, code: str, profile: PartnerProfile) -> AckStatus:
    try:
        return profile.status(TABLE, code.upper(), CONFIRMATION_STATUS.statuses)
    except UnknownMappingError:
        known = ", ".join(sorted(CONFIRMATION_STATUS.statuses))
        raise node.fail(f"{code!r} is not a confirmation type (known: {known})", "type") from None


def _answer(
    item: Node, header_type: str, header_status: AckStatus, profile: PartnerProfile
) -> tuple[LineAnswer, Decimal | None, tuple[ScheduleLine, ...]]:
    """The line's answer, the quantity it says was ordered, and its deliveries when the
    supplier confirms it in several parts."""
    number = item.line_number("lineNumber")
    ordered = item.quantity("quantity") if item.attr("quantity") else None
    _unit(item, profile)
    statuses = list(item.children("ConfirmationStatus"))
    if not statuses:
        return LineAnswer(number, header_status, header_type), ordered, ()
    parts = [_part(node, profile, several=len(statuses) > 1) for node in statuses]
    if len(parts) == 1:
        return parts[0].answer(number), ordered, ()
    return _parts(item, number, ordered, parts)


@dataclass(frozen=True, slots=True)
class _Part:
    """One ConfirmationStatus: a quantity of the line with its type and dates."""

    node: Node
    code: str
    status: AckStatus
    quantity: Decimal | None
    when: date | None
    price: Decimal | None

    @property
    def delivers(self) -> bool:
        return self.status in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_CHANGES)

    def answer(self, number: int) -> LineAnswer:
        if not self.delivers:  # nothing is confirmed: a 0 here is no commitment
            return LineAnswer(number, self.status, self.code)
        return LineAnswer(number, self.status, self.code, self.quantity, self.when, self.price)


def _part(node: Node, profile: PartnerProfile, *, several: bool) -> _Part:
    code = node.required("type")
    status = _status(node, code, profile)
    quantity = None
    if node.attr("quantity") or several:  # the DTD requires it; a split cannot do without
        quantity = node.within(
            node.decimal(node.required("quantity"), "quantity"), QuantityOrZero, "quantity"
        )
    _unit(node, profile)
    when = node.day("deliveryDate") if node.attr("deliveryDate") else None
    unit_price = node.optional("UnitPrice")
    price = unit_price.money()[0] if unit_price is not None else None
    return _Part(node, code, status, quantity, when, price)


def _parts(
    item: Node, number: int, ordered: Decimal | None, parts: list[_Part]
) -> tuple[LineAnswer, Decimal | None, tuple[ScheduleLine, ...]]:
    """A line confirmed in several parts (cXML: the parts' quantities add up to the item's):
    the parts that deliver are its schedule, a rejected part is not delivered; an ``unknown``
    part beside confirmed ones cannot be scheduled."""
    total = sum((part.quantity or Decimal(0) for part in parts), start=Decimal(0))
    if ordered is not None and total != ordered:
        raise item.fail(
            f"the ConfirmationStatus quantities add up to {total}, not the item's {ordered}",
            "quantity",
        )
    code = "+".join(dict.fromkeys(part.code for part in parts))[:35]
    delivering = [part for part in parts if part.delivers and part.quantity]
    if not delivering:
        pending = any(part.status is AckStatus.PENDING for part in parts)
        return LineAnswer(number, AckStatus.PENDING if pending else AckStatus.REJECTED,
                          code), ordered, ()  # fmt: skip
    for part in parts:
        if part.status is AckStatus.PENDING:
            raise part.node.fail(
                "an unknown part beside confirmed ones cannot be scheduled: answer it as "
                "backordered with its deliveryDate, or reject it", "type",
            )  # fmt: skip
    confirmed = sum((part.quantity or Decimal(0) for part in delivering), start=Decimal(0))
    price = next((part.price for part in delivering if part.price is not None), None)
    if len(delivering) == 1:
        only = delivering[0]
        status = AckStatus.ACCEPTED_WITH_CHANGES  # a part of the line is refused
        return LineAnswer(number, status, code, confirmed, only.when, price), ordered, ()
    schedule = []
    for part in delivering:
        if part.when is None:
            raise part.node.fail(
                "a line confirmed in several deliveries needs each one's date", "deliveryDate"
            )
        schedule.append(ScheduleLine(part.quantity or Decimal(0), part.when))
    latest = max(line.need_by for line in schedule)
    answer = LineAnswer(number, AckStatus.ACCEPTED_WITH_CHANGES, code, confirmed, latest, price)
    return answer, ordered, tuple(schedule)


def _unit(node: Node, profile: PartnerProfile) -> None:
    unit = node.optional("UnitOfMeasure")
    if unit is None:
        return
    try:
        profile.unit(unit.text())
    except UnknownMappingError as error:
        raise unit.fail(f"{unit.text()!r} is not in the partner's {error.table} table") from None
