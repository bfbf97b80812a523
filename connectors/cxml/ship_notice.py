"""ShipNoticeRequest -> SubmitShipNotice.

``ShipNoticeHeader@shipmentID`` is the notice number, ``@shipmentDate`` the day shipped,
``@deliveryDate`` the expected delivery (the partner's transit days after shipping without
it); ``ShipControl``: the first ``CarrierIdentifier`` and ``ShipmentIdentifier`` (tracking).
Each ``ShipNoticePortion`` is one order (``OrderReference@orderID``); each of its
``ShipNoticeItem`` a line: ``@lineNumber``, ``@quantity``, ``UnitOfMeasure`` through the
partner's units, the buyer's item (``ItemID/BuyerPartID``, else ``SupplierPartID`` through the
items table), the pack (``Packaging/ShippingContainerSerialCode``), lots
(``Batch/SupplierBatchID``) and serials (``SerialNumber``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from connectors.cxml.node import Node
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.commands import Command, SubmitShipNotice
from domain.limits import ItemCode
from domain.shipment import AsnItem, AsnOrder, AsnPack


def translate_ship_notice(request: Node, profile: PartnerProfile) -> tuple[Command, ...]:
    header = request.child("ShipNoticeHeader")
    if header.attr("operation") == "delete":
        raise header.fail(
            "a deleted ship notice is not taken: cancel it in the portal", "operation"
        )
    asn_number = header.document_number("shipmentID")
    shipped = header.day("shipmentDate")
    expected = (
        header.day("deliveryDate")
        if header.attr("deliveryDate")
        else shipped + timedelta(days=profile.transit_days)
    )
    carrier = tracking = ""
    control = request.optional("ShipControl")
    if control is not None:
        identifier = control.optional("CarrierIdentifier")
        if identifier is not None:
            carrier = identifier.reference(identifier.text())
        shipment = control.optional("ShipmentIdentifier")
        if shipment is not None:
            tracking = shipment.reference(shipment.text())
    orders: list[AsnOrder] = []
    for portion in request.children("ShipNoticePortion"):
        po_number = portion.child("OrderReference").document_number("orderID")
        packs: dict[str, list[AsnItem]] = {}
        for item in portion.children("ShipNoticeItem"):
            pack, line = _item(item, profile)
            packs.setdefault(pack, []).append(line)
        if packs:
            orders.append(
                AsnOrder(po_number, tuple(AsnPack(p, tuple(i)) for p, i in packs.items()))
            )
    if not orders:
        raise request.fail("no ShipNoticeItem: the notice ships nothing the hub can read")
    notice = SubmitShipNotice(
        profile.supplier, asn_number, shipped, expected, tuple(orders), carrier, tracking
    )
    return (notice,)


def _item(item: Node, profile: PartnerProfile) -> tuple[str, AsnItem]:
    number = item.line_number("lineNumber")
    quantity = item.quantity("quantity")
    unit = item.optional("UnitOfMeasure")
    if unit is not None:
        _mapped(unit, unit.text(), profile.unit)
    buyer_item = ""
    ids = item.optional("ItemID")
    if ids is not None:
        buyer = ids.optional("BuyerPartID")
        supplier = ids.optional("SupplierPartID")
        if buyer is not None and buyer.text():
            buyer_item = buyer.within(buyer.text(), ItemCode)
        elif supplier is not None and profile.items:
            buyer_item = _mapped(supplier, supplier.text(), profile.buyer_item)
    pack = ""
    packaging = item.optional("Packaging")
    if packaging is not None:
        code = packaging.optional("ShippingContainerSerialCode")
        if code is not None:
            pack = code.reference(code.text())
    lots = tuple(
        batch.reference(batch.text())
        for each in item.children("Batch")
        for batch in each.children("SupplierBatchID")
    )
    serials = tuple(
        Node(serial, f"{item.path}//SerialNumber").reference("".join(serial.itertext()).strip())
        for serial in item.element.iter("SerialNumber")
    )
    return pack, AsnItem(number, quantity, buyer_item, lots, serials)


def _mapped(node: Node, value: str, look_up: Callable[[str], str]) -> str:
    try:
        result = look_up(value)
    except UnknownMappingError as error:
        raise node.fail(f"{value!r} is not in the partner's {error.table} table") from None
    return result
