"""ConfirmationRequest -> AcknowledgePurchaseOrder, and a ProposeChange for each line the
supplier confirms with another quantity or delivery date (as the EDI 855 translation does).

``OrderReference@orderID`` is the PO; the revision answered is the one our OrderRequest's
payloadID carries (``DocumentReference@payloadID``, connectors/cxml/order_request.py), the
first without one. ``ConfirmationHeader@type``: accept and reject answer every line, so they
need the lines listed; detail, except and allDetail answer the ConfirmationItems given. Each
item's first ``ConfirmationStatus@type`` is its status (backordered too), with its quantity,
``deliveryDate`` and ``UnitPrice``; an item without one takes the header's type.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from connectors.cxml.codes import CONFIRMATION_STATUS
from connectors.cxml.node import Node
from connectors.gateway.order_answer import acknowledgement
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.acknowledgement import AckStatus
from domain.commands import Command, LineAnswer
from domain.limits import QuantityOrZero, Revision

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
    acknowledge, changes = acknowledgement(
        po_number, revision,
        (_answer(item, header_type, header_status, profile) for item in items),
        lambda line: f"cxml-{digest}-{line}", "cXML ConfirmationStatus",
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
) -> tuple[LineAnswer, Decimal | None]:
    number = item.line_number("lineNumber")
    ordered = item.quantity("quantity") if item.attr("quantity") else None
    _unit(item, profile)
    statuses = list(item.children("ConfirmationStatus"))
    if len(statuses) > 1:
        raise statuses[1].fail(
            "a line confirmed in several parts (split deliveries) is not read yet: "
            "confirm it with one ConfirmationStatus"
        )
    status_node = statuses[0] if statuses else None
    if status_node is None:
        return LineAnswer(number, header_status, header_type), ordered
    code = status_node.required("type")
    status = _status(status_node, code, profile)
    if status in (AckStatus.REJECTED, AckStatus.PENDING):
        return LineAnswer(number, status, code), ordered
    quantity = None
    if status_node.attr("quantity"):
        text = status_node.attr("quantity")
        quantity = status_node.within(
            status_node.decimal(text, "quantity"), QuantityOrZero, "quantity"
        )
    _unit(status_node, profile)
    when = status_node.day("deliveryDate") if status_node.attr("deliveryDate") else None
    price = None
    unit_price = status_node.optional("UnitPrice")
    if unit_price is not None:
        price, _ = unit_price.money()
    return LineAnswer(number, status, code, quantity, when, price), ordered


def _unit(node: Node, profile: PartnerProfile) -> None:
    unit = node.optional("UnitOfMeasure")
    if unit is None:
        return
    try:
        profile.unit(unit.text())
    except UnknownMappingError as error:
        raise unit.fail(f"{unit.text()!r} is not in the partner's {error.table} table") from None
