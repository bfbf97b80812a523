"""Value objects for what a purchase order asks for, and what other documents say of its lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from domain.errors import ValidationError, require
from domain.limits import (
    MAX_LINES,
    Day,
    Description,
    ItemCode,
    LineNumber,
    PartyId,
    Price,
    Quantity,
    UnitCode,
)


@dataclass(frozen=True)
class ScheduleLine:
    """One delivery of a line: a quantity needed by a date."""

    quantity: Quantity
    need_by: Day


@dataclass(frozen=True)
class OrderLine:
    line_number: LineNumber
    item: ItemCode
    quantity: Quantity
    uom: UnitCode
    unit_price: Price
    need_by: Day
    ship_to: PartyId
    description: Description = ""
    schedule: Annotated[tuple[ScheduleLine, ...], MAX_LINES] = ()

    def broken_rule(self) -> tuple[str, str] | None:
        """The first rule this line breaks, as (field, rule); None when it is valid."""
        if self.line_number <= 0:
            return "line_number", "must be positive"
        if not self.item.strip():
            return "item", "must not be empty"
        if not self.quantity > 0:
            return "quantity", "must be greater than 0"
        if not self.unit_price >= 0:
            return "unit_price", "must not be negative"
        if not self.ship_to.strip():
            return "ship_to", "must name a plant"
        if self.schedule and sum((s.quantity for s in self.schedule), Decimal(0)) != self.quantity:
            return "schedule", "quantities must add up to the line"
        return None


@dataclass(frozen=True)
class LineQuantity:
    """A quantity against one PO line, as an ASN, receipt or invoice reports it."""

    line_number: int
    quantity: Decimal


def require_named_once(numbers: Iterable[int], field: str) -> None:
    """A document names each PO line once: a second mention would count twice. `field` is
    the list's path; the error names the entry, e.g. `lines[1].line_number`."""
    seen: set[int] = set()
    for index, number in enumerate(numbers):
        if number in seen:
            raise ValidationError(f"{field}[{index}].line_number", f"line {number} is named twice")
        seen.add(number)


def check_lines(lines: tuple[OrderLine, ...], field: str = "lines") -> None:
    require(len(lines) > 0, field, "at least one line is required")
    numbers = [line.line_number for line in lines]
    require(len(set(numbers)) == len(numbers), field, "line numbers must be unique")
    for index, line in enumerate(lines):
        if (broken := line.broken_rule()) is not None:  # names formatted only on failure
            name, rule = broken
            raise ValidationError(f"{field}[{index}].{name}", rule)
