"""The hub's purchase order as a cXML ``OrderRequest`` (new, update, delete), and reading one
back: pure, bytes out and in.

The payloadID is ``supplyhub:<po>:<revision>:<operation>:<nonce>@<host>``: a supplier's
ConfirmationRequest names it in ``OrderReference/DocumentReference``, which is how its answer is
tied to the revision it answers (connectors/cxml/confirmation.py). The revision is the hub's
(the original order is 1; ``OutboundOrder.revision`` 0). A supplier whose profile says
``order_updates: new`` gets a revised order as ``type="new"`` without ``orderVersion``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from enum import StrEnum
from xml.etree.ElementTree import Element, SubElement, tostring

from connectors.cxml.errors import CxmlError
from connectors.cxml.node import Node
from connectors.cxml.safe_xml import parse
from connectors.edi.order import OrderLine, OutboundOrder, decimal_text
from connectors.gateway.profile import OrderUpdates, PartnerProfile, PartyAddress


class Operation(StrEnum):
    NEW = "new"
    UPDATE = "update"
    DELETE = "delete"


def payload_id(order: OutboundOrder, operation: Operation, nonce: str, host: str) -> str:
    return f"supplyhub:{order.number}:{order.revision + 1}:{operation}:{nonce}@{host}"


def write_order_request(
    order: OutboundOrder,
    profile: PartnerProfile,
    operation: Operation,
    payload: str,
    at: datetime,
    secret: str = "",
) -> bytes:
    """``secret`` is the hub's own shared secret at this supplier (the Sender's)."""
    version = profile.version or "1.2.050"
    root = Element("cXML", {"payloadID": payload, "timestamp": at.isoformat()})
    root.set("xml:lang", "en-US")
    header = SubElement(root, "Header")
    _credential(SubElement(header, "From"), profile.ours)
    _credential(SubElement(header, "To"), profile.theirs)
    sender = SubElement(header, "Sender")
    ours = profile.cxml.our_sender if profile.cxml is not None else None
    credential = _credential(sender, ours or profile.ours)
    if secret:
        SubElement(credential, "SharedSecret").text = secret
    SubElement(sender, "UserAgent").text = "Supply Hub"
    request = SubElement(SubElement(root, "Request"), "OrderRequest")
    kind = operation
    if operation is Operation.UPDATE and _updates(profile) is OrderUpdates.NEW:
        kind = Operation.NEW
    attributes = {
        "orderID": order.number,
        "orderDate": datetime.combine(order.issued, time(), UTC).isoformat(),
        "type": str(kind),
    }
    if kind is Operation.UPDATE or (kind is Operation.DELETE and order.revision):
        attributes["orderVersion"] = str(order.revision + 1)
    head = SubElement(request, "OrderRequestHeader", attributes)
    total = sum((line.quantity * line.price for line in order.lines), start=Decimal(0))
    _money(SubElement(head, "Total"), total, order.currency)
    for line in order.lines:
        _item_out(request, line, order.currency, profile)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    doctype = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/cXML.dtd">\n'
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype.encode() + body


def read_order_request(document: bytes) -> tuple[Operation, OutboundOrder]:
    """An OrderRequest as the values the writer takes: for comparing a buyer's document with
    ours written from it. A line without ``requestedDeliveryDate`` is read as wanted on the
    order date (the hub always writes one)."""
    cxml = Node.root(parse(document))
    header = cxml.child("Header")
    request = cxml.child("Request").child("OrderRequest")
    head = request.child("OrderRequestHeader")
    kind = head.required("type")
    if kind not in set(Operation):
        raise head.fail(f"{kind!r} is not new, update or delete", "type")
    issued = head.day("orderDate")
    version = int(head.attr("orderVersion") or 1)
    lines = []
    currency = ""
    for item in request.children("ItemOut"):
        detail = item.child("ItemDetail")
        price, currency = detail.child("UnitPrice").money()
        ids = item.child("ItemID")
        buyer = ids.optional("BuyerPartID")
        part = buyer if buyer is not None else ids.child("SupplierPartID")
        requested = issued
        if item.attr("requestedDeliveryDate"):
            requested = item.day("requestedDeliveryDate")
        lines.append(
            OrderLine(
                item.line_number("lineNumber"), part.text(), item.quantity("quantity"),
                detail.child("UnitOfMeasure").text(), price, requested,
            )
        )  # fmt: skip
    if not lines:
        raise request.fail("has no ItemOut")
    order = OutboundOrder(
        head.document_number("orderID"), version - 1, issued,
        _identity(header.child("From")), _identity(header.child("To")), tuple(lines), currency,
    )  # fmt: skip
    return Operation(kind), order


def _updates(profile: PartnerProfile) -> OrderUpdates:
    return profile.cxml.order_updates if profile.cxml is not None else OrderUpdates.UPDATE


def _credential(parent: Element, party: PartyAddress) -> Element:
    credential = SubElement(parent, "Credential", {"domain": party.qualifier})
    SubElement(credential, "Identity").text = party.id
    return credential


def _identity(party: Node) -> str:
    return party.child("Credential").child("Identity").text()


def _money(parent: Element, amount: Decimal, currency: str) -> None:
    SubElement(parent, "Money", {"currency": currency}).text = decimal_text(amount)


def _item_out(request: Element, line: OrderLine, currency: str, profile: PartnerProfile) -> None:
    requested = datetime.combine(line.requested, time(), UTC).isoformat()
    item = SubElement(request, "ItemOut", {
        "quantity": decimal_text(line.quantity), "lineNumber": str(line.line_number),
        "requestedDeliveryDate": requested,
    })  # fmt: skip
    ids = SubElement(item, "ItemID")
    SubElement(ids, "SupplierPartID").text = _supplier_part(line.item, profile)
    SubElement(ids, "BuyerPartID").text = line.item
    detail = SubElement(item, "ItemDetail")
    _money(SubElement(detail, "UnitPrice"), line.price, currency)
    SubElement(detail, "Description", {"xml:lang": "en"}).text = line.item
    SubElement(detail, "UnitOfMeasure").text = line.unit
    SubElement(detail, "Classification", {"domain": "custom"}).text = line.item


def _supplier_part(item: str, profile: PartnerProfile) -> str:
    """The supplier's part for our item, from the profile's items table; ours without one."""
    return next((part for part, ours in profile.items if ours == item), item)


__all__ = ["CxmlError", "Operation", "payload_id", "read_order_request", "write_order_request"]
