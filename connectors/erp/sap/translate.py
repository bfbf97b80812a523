"""Pure translation: SAP S/4HANA OData V2 entities -> hub commands (no I/O).

The records are the dicts `API_PURCHASEORDER_PROCESS_SRV`, `API_MATERIAL_DOCUMENT_SRV` and
`API_BUSINESS_PARTNER` return (`{"d":{"results":[...]}}` unwrapped, `/Date(ms)/` dates,
decimals as strings). Every value is checked against the hub's own limits here, so a bad one
is reported as `A_PurchaseOrderItem,4500000101/00010 OrderQuantity: ...`, the SAP entity a
person can open, not as a field of a command SAP never saw.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final, get_args

from connectors.erp.seam import ErpDataError, ErpMessage, KnownOrder
from domain import limits
from domain.commands import (
    CancelPurchaseOrder,
    PostGoodsReceipt,
    ReleasePurchaseOrder,
    RevisePurchaseOrder,
    UpsertSupplier,
)
from domain.goods_receipt import ReceiptLine
from domain.order_line import OrderLine

Record = Mapping[str, Any]

PO: Final = "A_PurchaseOrder"
ITEM: Final = "A_PurchaseOrderItem"
PARTNER: Final = "A_BusinessPartner"
MATDOC: Final = "A_MaterialDocumentHeader"
MATDOC_ITEM: Final = "A_MaterialDocumentItem"

# EKKO-PROCSTAT: 01 version in process, 02 active, 03 in release, 04 partially released,
# 05 release completed, 08 rejected. Only an active or fully released PO goes to the supplier.
RELEASED: Final = frozenset({"02", "05"})
REJECTED: Final = "08"
DELETED: Final = "L"  # PurchasingDocumentDeletionCode: the item (or order) is deleted
RECEIPT: Final = "101"  # GoodsMovementType: goods receipt against a purchase order

# SAP's internal unit (T006-MSEHI, as the A2X APIs send it) -> the hub's unit. Explicit: an
# unknown unit is an error naming the item, never a guess.
UNITS: Final[Mapping[str, str]] = {
    "PC": "EA", "ST": "EA", "EA": "EA", "KG": "KG", "G": "G", "LB": "LB", "M": "M", "L": "L",
    "H": "HR", "HR": "HR",
}  # fmt: skip

_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_date(value: object) -> datetime | None:
    """OData V2's `/Date(ms)/` (UTC; `/Date(ms+0060)/` carries an offset in minutes that
    does not change the instant); None for an empty value."""
    if value in (None, ""):
        return None
    found = _DATE.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"not an OData date: {value!r}")
    return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC)


def odata_datetime(moment: datetime) -> str:
    """A `$filter` literal: `datetime'2026-12-04T10:00:00'` (SAP's Edm.DateTime is UTC)."""
    return f"datetime'{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')}'"


@dataclass(frozen=True)
class PurchaseOrderRecord:
    """One PO as read, its items (`to_PurchaseOrderItem`) inside."""

    order: Record

    @property
    def number(self) -> str:
        return str(self.order.get("PurchaseOrder") or "")

    @property
    def items(self) -> tuple[Record, ...]:
        return tuple((self.order.get("to_PurchaseOrderItem") or {}).get("results") or ())


def supplier(partner: Record, system: str) -> ErpMessage:
    """A business partner with the supplier role -> `UpsertSupplier`, keyed by its version
    (`LastChangeDate`), so an unchanged partner read again is a replay."""
    key = partner.get("BusinessPartner")
    code = _text(PARTNER, key, "Supplier", partner.get("Supplier"), limits.PartyId)
    name = (
        partner.get("BusinessPartnerFullName")
        or partner.get("OrganizationBPName1")
        or (partner.get("BusinessPartnerName"))
    )
    name = _text(PARTNER, key, "BusinessPartnerFullName", name, limits.Name)
    status = "blocked" if partner.get("BusinessPartnerIsBlocked") is True else "active"
    version = partner.get("LastChangeDate") or partner.get("CreationDate") or "0"
    stamp = _date_of(PARTNER, key, "LastChangeDate", version) if version != "0" else None
    tag = stamp.strftime("%Y%m%d") if stamp else "0"
    return ErpMessage(
        UpsertSupplier(code, name, erp_id=str(key), status=status),
        f"sap:{system}:bp:{key}:{tag}:{status}",
        f"sap:{system}:{PARTNER}('{key}')@{tag}",
    )


def purchase_order(
    record: PurchaseOrderRecord, known: KnownOrder | None, held: Sequence[OrderLine],
    system: str, lead_days: int,
) -> list[ErpMessage]:  # fmt: skip
    """The commands that bring the hub to this SAP version of the PO.

    SAP keeps no revision number on the A2X API, so a version is its content: a PO whose
    lines differ from those the hub holds (`held`) is the hub's next revision. Nothing for a
    PO not released (in process, in release), nothing when the hub already holds these lines.
    A rejected PO, or one whose items are all deleted, cancels an open order the hub holds.
    """
    order, number = record.order, record.number
    status = str(order.get("PurchasingProcessingStatus") or "")
    live = [i for i in record.items if i.get("PurchasingDocumentDeletionCode") != DELETED]
    if (
        status == REJECTED
        or order.get("PurchasingDocumentDeletionCode") == DELETED
        or (status in RELEASED and record.items and not live)
    ):
        if known is None or known.status != "open":
            return []
        reason = "rejected in SAP" if status == REJECTED else "deleted in SAP"
        return [_message(CancelPurchaseOrder(_number(record), reason), record, system, "cancel")]
    if status not in RELEASED:
        return []
    lines = tuple(_order_line(record, item, lead_days) for item in live)
    if not lines:
        raise ErpDataError(PO, number, "to_PurchaseOrderItem", "has no item")
    version = _version(lines)
    if known is None:
        currency = _text(PO, number, "DocumentCurrency", order.get("DocumentCurrency"),
                         limits.CurrencyCode)  # fmt: skip
        supplier_key = _text(PO, number, "Supplier", order.get("Supplier"), limits.PartyId)
        release = ReleasePurchaseOrder(_number(record), supplier_key, currency, lines)
        return [_message(release, record, system, version)]
    if known.status != "open" or _same(lines, held):
        return []
    revision = known.revision + 1
    if revision > 9_999:
        raise ErpDataError(PO, number, "revision", "the hub's revisions end at 9999")
    revise = RevisePurchaseOrder(_number(record), revision, lines)
    return [_message(revise, record, system, f"r{revision}:{version}")]


def goods_receipts(header: Record, system: str) -> list[ErpMessage]:
    """A material document -> one `PostGoodsReceipt` per purchase order it received against
    (movement type 101 only: a 102 reversal or other movements are not receipts)."""
    document, year = header.get("MaterialDocument"), header.get("MaterialDocumentYear")
    key = f"{year}/{document}"
    posted = _date_of(MATDOC, key, "PostingDate", header.get("PostingDate"))
    items = (header.get("to_MaterialDocumentItem") or {}).get("results") or ()
    by_po: dict[str, list[ReceiptLine]] = {}
    for item in items:
        if item.get("GoodsMovementType") != RECEIPT or not item.get("PurchaseOrder"):
            continue
        item_key = f"{key}/{item.get('MaterialDocumentItem')}"
        po = _text(MATDOC_ITEM, item_key, "PurchaseOrder", item["PurchaseOrder"],
                   limits.DocumentNumber)  # fmt: skip
        line = ReceiptLine(
            _item_number(MATDOC_ITEM, item_key, "PurchaseOrderItem", item.get("PurchaseOrderItem")),
            _plain(_amount(MATDOC_ITEM, item_key, "QuantityInEntryUnit",
                           item.get("QuantityInEntryUnit"), limits.QuantityOrZero)),
        )  # fmt: skip
        by_po.setdefault(po, []).append(line)
    return [
        ErpMessage(
            PostGoodsReceipt(f"SAP-{year}-{document}-{po}", po, posted.date(), tuple(lines)),
            f"sap:{system}:matdoc:{key}:{po}",
            f"sap:{system}:{MATDOC}(MaterialDocument='{document}',MaterialDocumentYear='{year}')",
        )
        for po, lines in by_po.items()
    ]


def _order_line(record: PurchaseOrderRecord, item: Record, lead_days: int) -> OrderLine:
    key = f"{record.number}/{item.get('PurchaseOrderItem')}"
    unit = item.get("PurchaseOrderQuantityUnit")
    if not isinstance(unit, str) or unit not in UNITS:
        raise ErpDataError(ITEM, key, "PurchaseOrderQuantityUnit",
                           f"unknown unit of measure {unit!r}")  # fmt: skip
    price = _amount(ITEM, key, "NetPriceAmount", item.get("NetPriceAmount"), limits.Price)
    per = _decimal(ITEM, key, "NetPriceQuantity", item.get("NetPriceQuantity") or "1")
    if per <= 0:
        raise ErpDataError(ITEM, key, "NetPriceQuantity", "must be positive")
    return OrderLine(
        line_number=_item_number(ITEM, key, "PurchaseOrderItem", item.get("PurchaseOrderItem")),
        item=_text(ITEM, key, "Material", item.get("Material"), limits.ItemCode),
        quantity=_plain(_amount(ITEM, key, "OrderQuantity", item.get("OrderQuantity"),
                                limits.Quantity)),
        uom=UNITS[unit],
        unit_price=_plain(_checked(ITEM, key, "NetPriceAmount", _per_unit(price, per),
                                   limits.Price)),
        need_by=_need_by(record, item, key, lead_days),
        ship_to=_text(ITEM, key, "Plant", item.get("Plant"), limits.PartyId),
        description=_text(ITEM, key, "PurchaseOrderItemText",
                          item.get("PurchaseOrderItemText") or "", limits.Description,
                          required=False),
    )  # fmt: skip


def _per_unit(price: Decimal, per: Decimal) -> Decimal:
    """SAP prices per `NetPriceQuantity` units (50.00 per 100); the hub per one unit, kept to
    the hub's six decimals."""
    return price if per == 1 else (price / per).quantize(Decimal("0.000001"), ROUND_HALF_UP)


def _need_by(record: PurchaseOrderRecord, item: Record, key: str, lead_days: int) -> date:
    """The item's first schedule line date (`to_ScheduleLine`, as a real S/4HANA sends it);
    without schedule lines (mock-sap has none) the PO's date plus the configured lead time."""
    lines = (item.get("to_ScheduleLine") or {}).get("results") or ()
    dates = [_date_of(ITEM, key, "ScheduleLineDeliveryDate", s.get("ScheduleLineDeliveryDate"))
             for s in lines if s.get("ScheduleLineDeliveryDate")]  # fmt: skip
    if dates:
        return min(dates).date()
    ordered = _date_of(
        PO, record.number, "PurchaseOrderDate", record.order.get("PurchaseOrderDate")
    )
    return (ordered + timedelta(days=lead_days)).date()


def _same(lines: Sequence[OrderLine], held: Sequence[OrderLine]) -> bool:
    def plain(line: OrderLine) -> tuple[Any, ...]:
        return (line.line_number, line.item, line.quantity, line.uom, line.unit_price,
                line.need_by, line.ship_to, line.description)  # fmt: skip

    return sorted(map(plain, lines)) == sorted(map(plain, held))


def _version(lines: Sequence[OrderLine]) -> str:
    """A short digest of the lines: SAP's A2X PO carries no revision, its content is one."""
    text = "|".join(
        f"{x.line_number};{x.item};{x.quantity.normalize()};{x.uom};"
        f"{x.unit_price.normalize()};{x.need_by};{x.ship_to};{x.description}"
        for x in sorted(lines, key=lambda x: x.line_number)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _message(command: Any, record: PurchaseOrderRecord, system: str, version: str) -> ErpMessage:
    return ErpMessage(
        command,
        f"sap:{system}:po:{record.number}:{version}",
        f"sap:{system}:{PO}('{record.number}')@{version}",
    )


def _number(record: PurchaseOrderRecord) -> str:
    return _text(PO, record.number, "PurchaseOrder", record.number, limits.DocumentNumber)


def _item_number(entity: str, key: str, field: str, value: object) -> int:
    """SAP's item number (`00010`) is the hub's line number (10): stable, never reused."""
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= 999_999:
        raise ErpDataError(entity, key, field, "must be an item number from 1 to 999999")
    return int(value)


def _date_of(entity: str, key: object, field: str, value: object) -> datetime:
    try:
        found = parse_date(value)
    except ValueError:
        found = None
    if found is None:
        raise ErpDataError(entity, key, field, "must be an OData date /Date(ms)/")
    if (broken := _limit(limits.Day).broken(found.date())) is not None:
        raise ErpDataError(entity, key, field, broken)
    return found


def _decimal(entity: str, key: object, field: str, value: object) -> Decimal:
    """OData V2 sends Edm.Decimal as a string; a number is taken only if it is whole."""
    try:
        if isinstance(value, str) or (type(value) is int):
            number = Decimal(value)
            if number.is_finite():
                return number
    except InvalidOperation:
        pass
    raise ErpDataError(entity, key, field, f"must be a decimal, not {value!r}")


def _amount(entity: str, key: object, field: str, value: object, hint: object) -> Decimal:
    return _checked(entity, key, field, _decimal(entity, key, field, value), hint)


def _checked(entity: str, key: object, field: str, number: Decimal, hint: object) -> Decimal:
    if (broken := _limit(hint).broken(number)) is not None:
        raise ErpDataError(entity, key, field, broken)
    return number


def _text(
    entity: str, key: object, field: str, value: object, hint: object, required: bool = True
) -> str:
    if required and (value is None or value == ""):
        raise ErpDataError(entity, key, field, "is required")
    if (broken := _limit(hint).broken(value)) is not None:
        raise ErpDataError(entity, key, field, broken)
    assert isinstance(value, str)
    return value


def _plain(number: Decimal) -> Decimal:
    """SAP's fixed scale dropped: 213.000 -> 213, 301.140 -> 301.14."""
    normal = number.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def _limit(hint: object) -> limits.Limit:
    """The hub's own limit on a field type (domain/limits.py): one rule, not a copy."""
    return next(arg for arg in get_args(hint)[1:] if isinstance(arg, limits.Limit))
