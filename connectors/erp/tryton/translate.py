"""Pure translation: a Tryton purchase (with its lines, party and products) -> hub commands.

No I/O. The records are the dicts `search_read` returns (`reader.py` names the fields), so
these functions are tested with small hand-written records and no server. Every value is
checked against the hub's own limits here, so a bad one is reported with the Tryton model,
record id and field it came from, not as a field of a command the ERP never saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, get_args

from connectors.erp.seam import ErpDataError, ErpMessage, KnownOrder
from domain import limits
from domain.commands import (
    CancelPurchaseOrder,
    ReleasePurchaseOrder,
    RevisePurchaseOrder,
    UpsertSupplier,
)
from domain.order_line import OrderLine

Record = Mapping[str, Any]

PURCHASE = "purchase.purchase"
LINE = "purchase.line"
PARTY = "party.party"

# From this state on, Tryton has sent the PO to the supplier; `draft` is the buyer's own.
RELEASED_STATES = frozenset({"quotation", "confirmed", "processing", "done"})
CANCELLED = "cancelled"

# Tryton's unit of measure (`product.uom` symbol, as loaded by the product module) -> the
# hub's canonical unit. Explicit: an unknown unit is an error naming the line, never a guess.
UNITS: Mapping[str, str] = {
    "u": "EA", "kg": "KG", "g": "G", "lb": "LB", "m": "M", "l": "L", "h": "HR",
}  # fmt: skip


@dataclass(frozen=True)
class PurchaseRecord:
    """One Tryton purchase as read: the purchase, its lines (with `product.` and `unit.`
    nested) and its party."""

    purchase: Record
    lines: tuple[Record, ...]
    party: Record

    @property
    def id(self) -> int:
        return int(self.purchase["id"])


def translate(record: PurchaseRecord, known: KnownOrder | None, database: str) -> list[ErpMessage]:
    """The commands that bring the hub to this Tryton version of the purchase.

    Tryton revision `r` is the hub's revision `r + 1` (Tryton counts from 0, the hub from 1).
    Nothing for a draft, and nothing the hub already holds. If the hub missed revisions
    (the PO was drafted and quoted again between two reads), each missed one is recorded
    with this version's lines, so the numbers stay aligned (docs/erp.md).
    """
    purchase = record.purchase
    state = purchase["state"]
    if state == CANCELLED:
        if known is None or known.status != "open":
            return []
        return [_cancel(record, database)]
    if state not in RELEASED_STATES or (
        known is not None and known.revision >= _hub_revision(record)
    ):
        return []
    number = _text(PURCHASE, record.id, "number", purchase.get("number"), limits.DocumentNumber)
    lines = tuple(_order_line(record, line) for line in record.lines if line.get("type") == "line")
    if not lines:
        raise ErpDataError(PURCHASE, record.id, "lines", "has no product line")
    messages = [_upsert_supplier(record.party, database)]
    if known is None:
        release = ReleasePurchaseOrder(
            number, _supplier_key(record.party), _currency(record), lines
        )
        messages.append(_message(release, record, database, "r0"))
        first = 1
    else:
        first = known.revision
    for hub_revision in range(first + 1, _hub_revision(record) + 1):
        revise = RevisePurchaseOrder(number, hub_revision, lines)
        messages.append(_message(revise, record, database, f"r{hub_revision - 1}"))
    return messages


def _hub_revision(record: PurchaseRecord) -> int:
    revision = record.purchase.get("revision") or 0
    if type(revision) is not int or revision < 0:
        raise ErpDataError(PURCHASE, record.id, "revision", "must be a whole number from 0")
    if revision + 1 > 9_999:
        raise ErpDataError(PURCHASE, record.id, "revision", "must be below 9999")
    return revision + 1


def _cancel(record: PurchaseRecord, database: str) -> ErpMessage:
    number = _text(
        PURCHASE, record.id, "number", record.purchase.get("number"), limits.DocumentNumber
    )
    return _message(CancelPurchaseOrder(number, "cancelled in Tryton"), record, database, "cancel")


def _message(command: Any, record: PurchaseRecord, database: str, version: str) -> ErpMessage:
    return ErpMessage(
        command,
        f"tryton:{database}:purchase:{record.id}:{version}",
        f"tryton:{database}:{PURCHASE},{record.id}@{_stamp(record.purchase)}",
    )


def _upsert_supplier(party: Record, database: str) -> ErpMessage:
    party_id = party["id"]
    name = _text(PARTY, party_id, "name", party.get("name"), limits.Name)
    command = UpsertSupplier(_supplier_key(party), name, erp_id=str(party_id))
    # Keyed by the party's version: the same party read again is a replay, a renamed one is new.
    version = _stamp(party)
    return ErpMessage(
        command,
        f"tryton:{database}:party:{party_id}:{version}",
        f"tryton:{database}:{PARTY},{party_id}@{version}",
    )


def _supplier_key(party: Record) -> str:
    """The hub's supplier key is the party's code (Tryton numbers parties with a sequence)."""
    return _text(PARTY, party["id"], "code", party.get("code"), limits.PartyId)


def _currency(record: PurchaseRecord) -> str:
    currency = record.purchase.get("currency.") or {}
    return _text(PURCHASE, record.id, "currency.code", currency.get("code"), limits.CurrencyCode)


def _order_line(record: PurchaseRecord, line: Record) -> OrderLine:
    line_id = line["id"]
    product = line.get("product.") or {}
    unit = (line.get("unit.") or {}).get("symbol")
    if not isinstance(unit, str) or unit not in UNITS:
        raise ErpDataError(LINE, line_id, "unit", f"unknown unit of measure {unit!r}")
    warehouse = record.purchase.get("warehouse.") or {}
    return OrderLine(
        line_number=_line_number(line_id),
        item=_text(LINE, line_id, "product.code", product.get("code"), limits.ItemCode),
        quantity=_plain(
            _amount(LINE, line_id, "quantity", line.get("quantity"), limits.Quantity)
        ),
        uom=UNITS[unit],
        unit_price=_amount(LINE, line_id, "unit_price", line.get("unit_price"), limits.Price),
        need_by=_need_by(record, line),
        ship_to=_text(PURCHASE, record.id, "warehouse.code", warehouse.get("code"), limits.PartyId),
        description=_text(LINE, line_id, "description", line.get("description") or "",
                          limits.Description, required=False),
    )  # fmt: skip


def _line_number(line_id: object) -> int:
    """The line's Tryton id: stable across revisions, unlike its position or `sequence`."""
    if type(line_id) is not int or not 1 <= line_id <= 999_999:
        raise ErpDataError(LINE, line_id, "id", "must be a line number from 1 to 999999")
    return line_id


def _need_by(record: PurchaseRecord, line: Record) -> date:
    """The line's delivery date, else the purchase's: Tryton computes neither without a
    date or a supplier lead time, and the hub refuses a line without one."""
    found = line.get("delivery_date") or record.purchase.get("delivery_date")
    if type(found) is not date:
        raise ErpDataError(LINE, line["id"], "delivery_date", "is required (or the purchase's)")
    if (broken := _limit(limits.Day).broken(found)) is not None:
        raise ErpDataError(LINE, line["id"], "delivery_date", broken)
    return found


def _stamp(record: Record) -> str:
    """A record's version: its last write (or its creation, before any write)."""
    moment = record.get("write_date") or record.get("create_date")
    return moment.isoformat() if isinstance(moment, datetime) else "0"


def _text(
    model: str, record_id: object, field: str, value: object, hint: object, required: bool = True
) -> str:
    if required and (value is None or value == ""):
        raise ErpDataError(model, record_id, field, "is required")
    if (broken := _limit(hint).broken(value)) is not None:
        raise ErpDataError(model, record_id, field, broken)
    assert isinstance(value, str)
    return value


def _amount(model: str, record_id: object, field: str, value: object, hint: object) -> Decimal:
    number = Decimal(value) if type(value) is int else value
    if (broken := _limit(hint).broken(number)) is not None:
        raise ErpDataError(model, record_id, field, broken)
    assert isinstance(number, Decimal)
    return number


def _plain(quantity: Decimal) -> Decimal:
    """A Float field's value without the float's trailing zeros: 100.0 -> 100, 2.50 -> 2.5."""
    normal = quantity.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def _limit(hint: object) -> limits.Limit:
    """The hub's own limit on a field type (domain/limits.py): one rule, not a copy."""
    return next(arg for arg in get_args(hint)[1:] if isinstance(arg, limits.Limit))
