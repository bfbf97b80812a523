"""The purchase order the EDI writers take: what an 850 or ORDERS says, nothing more.

A connector-side value, so the outbound writers do not depend on the domain's command
shapes; the subscriber that reads released POs from the event log fills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_number: int
    item: str  # the buyer's item number
    quantity: Decimal
    unit: str  # unit of measure code as the partner reads it (EA, PCE, KGM, ...)
    price: Decimal  # unit price
    requested: date  # delivery requested on


@dataclass(frozen=True, slots=True)
class OutboundOrder:
    number: str
    revision: int  # 0 is the original order; a later one replaces it
    issued: date
    buyer_id: str
    supplier_id: str
    lines: tuple[OrderLine, ...]
    currency: str = "USD"
    cancelled: bool = False  # the order is withdrawn: BEG01 01 / BGM 1225 1


def decimal_text(value: Decimal, mark: str = ".") -> str:
    """A number as EDI writes it: no exponent, no trailing zeros, the given decimal mark."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", mark)
