"""DESADV -> SubmitShipNotice.

BGM 1004 is the notice number; DTM 11 the despatch date (DTM 137, the message's date, without
one), DTM 17 the estimated delivery (the partner's transit days after despatch without it);
TDT C040 the carrier (3127, else its name 3128), RFF CN the tracking reference; RFF ON the
order (C506 1154; an RFF ON under a line names that line's order, and its 1156 the order
line). Each CPS opens a pack, named by its GIN BJ (SSCC) when it has one; each LIN an item:
the order line (RFF ON 1156, else LIN 1082), QTY 12 (despatched), C212 IN / BP (the
buyer's item) or SA / VN / VP through the partner's items table, GIN BX lots and BN serials.
"""

from __future__ import annotations

from datetime import timedelta

from connectors.edi.edifact.fields import EDIFACT, dated, reference, split
from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import Fault
from connectors.edi.translation import Place, Translation, first, places, shipped_orders
from connectors.gateway.profile import PartnerProfile
from domain.commands import SubmitShipNotice
from domain.shipment import AsnItem

_BUYER_ITEM = ("IN", "BP")
_SUPPLIER_ITEM = ("SA", "VN", "VP")


def translate_desadv(document: Message, profile: PartnerProfile) -> Translation:
    rows = list(places(EDIFACT, document.segments, document.position))
    bgm = first(rows, "BGM")
    asn_number = bgm.document_number("BGM 1004", 2)
    head, packs = split(rows, "CPS")
    if not packs:  # items straight under the header: one unnamed pack
        head, items = split(rows, "LIN")
        packs = [[rows[0], *(row for item in items for row in item)]] if items else []
    shipped = dated(head, "11") or dated(head, "137")
    if shipped is None:
        rule = "no DTM 11 (despatch) nor 137 (message date)"
        raise bgm.fail("DTM 2005", rule, Fault.SEGMENT_MISSING, value="DTM")
    expected = dated(head, "17") or shipped + timedelta(days=profile.transit_days)
    order = reference(head, "ON")
    default_po = order.document_number("RFF 1154", 1, 2) if order else ""
    tracking_row = reference(head, "CN")
    tracking = tracking_row.reference("RFF 1154", 1, 2) if tracking_row else ""
    carrier = ""
    for row in head:
        if row.segment.tag == "TDT":
            carrier = row.reference("TDT 3127", 5, 1) or row.reference("TDT 3128", 5, 4)
    orders: dict[str, dict[str, list[AsnItem]]] = {}
    for pack in packs:
        before, items = split(pack, "LIN")
        pack_id = ""
        for row in before:
            if row.segment.tag == "GIN" and row.segment.get(1) == "BJ":
                pack_id = row.reference("GIN 7402", 2, 1)
        for item in items:
            po_number, line_item = _item(item, default_po, profile, document.syntax.decimal)
            orders.setdefault(po_number, {}).setdefault(pack_id, []).append(line_item)
    if not orders:
        rule = "the notice has no line: it ships nothing the hub can read"
        raise bgm.fail("LIN", rule, Fault.SEGMENT_MISSING, value="LIN")
    notice = SubmitShipNotice(
        profile.supplier, asn_number, shipped, expected, shipped_orders(orders), carrier, tracking
    )
    return Translation(EDIFACT, "DESADV", document.reference, document.position, (notice,))


def _item(
    rows: list[Place], default_po: str, profile: PartnerProfile, mark: str
) -> tuple[str, AsnItem]:
    lin = rows[0]
    order = reference(rows, "ON")
    po_number = order.document_number("RFF 1154", 1, 2) if order else default_po
    if not po_number:
        rule = "no RFF ON names the order of this line, nor the header's"
        raise lin.fail("RFF 1154", rule, Fault.SEGMENT_MISSING, value="RFF")
    if order is not None and order.segment.get(1, 3):
        number = order.line_number("RFF 1156", 1, 3)
    else:
        number = lin.line_number("LIN 1082", 1)
    despatched = next(
        (row for row in rows if row.segment.tag == "QTY" and row.segment.get(1, 1) == "12"), None
    )
    if despatched is None:
        rule = "the line has no QTY 12 (despatch quantity)"
        raise lin.fail("QTY 6063", rule, Fault.SEGMENT_MISSING, value="QTY")
    quantity = despatched.quantity("QTY 6060", 1, 2, mark)
    if despatched.segment.get(1, 3):
        despatched.mapped("QTY 6411", despatched.segment.get(1, 3), profile.unit)
    code, value = lin.segment.get(3, 2), lin.segment.get(3, 1)
    item = ""
    if code in _BUYER_ITEM:
        item = value
    elif code in _SUPPLIER_ITEM and profile.items:
        item = lin.mapped("LIN 7140", value, profile.buyer_item)
    lots: list[str] = []
    serials: list[str] = []
    for row in rows:
        if row.segment.tag == "GIN" and row.segment.get(1) in ("BX", "BN"):
            found = lots if row.segment.get(1) == "BX" else serials
            found.extend(
                row.reference("GIN 7402", position, 1)
                for position in range(2, len(row.segment.elements) + 1)
                if row.segment.get(position, 1)
            )
    return po_number, AsnItem(number, quantity, item, tuple(lots), tuple(serials))
