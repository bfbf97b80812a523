"""856 Ship Notice/Manifest -> SubmitShipNotice, read through its HL tree.

HL03 (735) says each level: S shipment, O order, T tare, P pack, I item. The shipment gives
BSN02 (the notice number), DTM 011 (shipped; BSN03 without it), DTM 017 (estimated
delivery; the partner's transit days after shipping without it), TD5 (carrier: TD503, or
TD505), REF CN (tracking); an order PRF01; a pack MAN02 (its SSCC with MAN01 GM); an item LIN01
(the order line), LIN BP / IN (the buyer's item) or VP / VN / SK through the partner's items table,
LIN or REF LT (lots) and SN / SE (serials), SN102 (quantity shipped) and SN103 (its unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from connectors.edi.errors import Fault
from connectors.edi.translation import Place, Translation, first, places, shipped_orders
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.profile import PartnerProfile
from domain.commands import SubmitShipNotice
from domain.shipment import AsnItem

X12 = "X12"
_LEVELS = frozenset("SOTPI")


@dataclass
class _Level:
    place: Place
    kind: str
    parent: str
    rows: list[Place] = field(default_factory=list)


def translate_856(document: TransactionSet, profile: PartnerProfile) -> Translation:
    rows = list(places(X12, document.segments, document.position))
    bsn = first(rows, "BSN")
    asn_number = bsn.document_number("BSN02", 2)
    header: list[Place] = []
    levels: dict[str, _Level] = {}
    current: _Level | None = None
    for row in rows:
        if row.segment.tag == "HL":
            current = _level(row, levels)
        elif current is None:
            header.append(row)
        else:
            current.rows.append(row)
    shipment = [row for level in levels.values() if level.kind == "S" for row in level.rows]
    ship_date, expected = _dates(bsn, header + shipment, profile)
    carrier, tracking = _carrier(header + shipment)
    orders: dict[str, dict[str, list[AsnItem]]] = {}
    for level in levels.values():
        if level.kind != "I":
            continue
        po_number = _order_of(level, levels)
        pack_id = _pack_of(level, levels)
        item = _item(level, profile)
        orders.setdefault(po_number, {}).setdefault(pack_id, []).append(item)
    if not orders:
        rule = "no item level (I): the notice ships nothing the hub can read"
        raise bsn.fail("HL03", rule, Fault.SEGMENT_MISSING, value="HL")
    notice = SubmitShipNotice(
        profile.supplier, asn_number, ship_date, expected, shipped_orders(orders), carrier, tracking
    )
    return Translation(X12, "856", document.control, document.position, (notice,))


def _level(row: Place, levels: dict[str, _Level]) -> _Level:
    number = row.required("HL01", 1)
    kind = row.required("HL03", 3)
    if kind not in _LEVELS:
        rule = f"{kind!r} is a level the hub does not read (S, O, T, P, I)"
        raise row.fail("HL03", rule, Fault.UNSUPPORTED, (3, 1), kind)
    parent = row.segment.get(2)
    if parent and parent not in levels:
        raise row.fail("HL02", f"{parent!r} names no earlier HL", at=(2, 1), value=parent)
    if number in levels:
        raise row.fail("HL01", f"{number!r} is used twice", at=(1, 1), value=number)
    levels[number] = _Level(row, kind, parent)
    return levels[number]


def _ancestors(level: _Level, levels: dict[str, _Level]) -> list[_Level]:
    found = [level]
    while found[-1].parent:
        found.append(levels[found[-1].parent])
    return found


def _order_of(level: _Level, levels: dict[str, _Level]) -> str:
    for each in _ancestors(level, levels):
        for row in each.rows:
            if row.segment.tag == "PRF":
                return row.document_number("PRF01", 1)
    rule = "names no purchase order for this item, nor above it"
    raise level.place.fail("PRF01", rule, Fault.SEGMENT_MISSING, value="PRF")


def _pack_of(level: _Level, levels: dict[str, _Level]) -> str:
    for each in _ancestors(level, levels):
        if each.kind in "PT":
            for row in each.rows:
                if row.segment.tag == "MAN":
                    return row.reference("MAN02", 2)
            return ""
    return ""


def _item(level: _Level, profile: PartnerProfile) -> AsnItem:
    lin = next((row for row in level.rows if row.segment.tag == "LIN"), None)
    sn1 = next((row for row in level.rows if row.segment.tag == "SN1"), None)
    if lin is None or sn1 is None:
        raise level.place.fail("HL03", "an item level needs its LIN and SN1")
    number = lin.line_number("LIN01", 1)
    quantity = sn1.quantity("SN102", 2)
    if sn1.segment.get(3):
        sn1.mapped("SN103", sn1.segment.get(3), profile.unit)
    pairs = {lin.segment.get(i): (i, lin.segment.get(i + 1)) for i in range(2, 30, 2)}
    lots = [value for code, (_, value) in pairs.items() if code == "LT"]
    serials = [value for code, (_, value) in pairs.items() if code == "SN"]
    for row in level.rows:
        if row.segment.tag == "REF" and row.segment.get(1) in ("LT", "SE"):
            (lots if row.segment.get(1) == "LT" else serials).append(row.reference("REF02", 2))
    item = ""
    buyer = [pairs[code][1] for code in ("BP", "IN") if code in pairs]
    if buyer:
        item = buyer[0]
    elif profile.items:
        for code in ("VP", "VN", "SK"):
            if code in pairs:
                position, value = pairs[code]
                item = lin.mapped(f"LIN{position + 1:02d}", value, profile.buyer_item)
                break
    return AsnItem(number, quantity, item, tuple(lots), tuple(serials))


def _dates(bsn: Place, rows: list[Place], profile: PartnerProfile) -> tuple[date, date]:
    shipped = expected = None
    for row in rows:
        if row.segment.tag == "DTM" and row.segment.get(1) == "011":
            shipped = row.day("DTM02", row.segment.get(2))
        elif row.segment.tag == "DTM" and row.segment.get(1) == "017":
            expected = row.day("DTM02", row.segment.get(2))
    if shipped is None:
        shipped = bsn.day("BSN03", bsn.required("BSN03", 3))
    if expected is None:
        expected = shipped + timedelta(days=profile.transit_days)
    return shipped, expected


def _carrier(rows: list[Place]) -> tuple[str, str]:
    carrier = tracking = ""
    for row in rows:
        if row.segment.tag == "TD5" and not carrier:
            carrier = row.reference("TD503", 3) or row.reference("TD505", 5)
        elif row.segment.tag == "REF" and row.segment.get(1) == "CN" and not tracking:
            tracking = row.reference("REF02", 2)
    return carrier, tracking
