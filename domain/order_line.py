"""Value objects for what a purchase order asks for, and what other documents say of its lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import require


@dataclass(frozen=True)
class ScheduleLine:
    """One delivery of a line: a quantity needed by a date."""

    quantity: Decimal
    need_by: date


@dataclass(frozen=True)
class OrderLine:
    line_number: int
    item: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    need_by: date
    ship_to: str
    description: str = ""
    schedule: tuple[ScheduleLine, ...] = ()

    def check(self, field: str) -> None:
        require(self.line_number > 0, f"{field}.line_number", "must be positive")
        require(bool(self.item.strip()), f"{field}.item", "must not be empty")
        require(self.quantity > 0, f"{field}.quantity", "must be greater than 0")
        require(self.unit_price >= 0, f"{field}.unit_price", "must not be negative")
        require(bool(self.ship_to.strip()), f"{field}.ship_to", "must name a plant")
        if self.schedule:
            total = sum((s.quantity for s in self.schedule), Decimal(0))
            require(
                total == self.quantity, f"{field}.schedule", "quantities must add up to the line"
            )


@dataclass(frozen=True)
class LineQuantity:
    """A quantity against one PO line, as an ASN, receipt or invoice reports it."""

    line_number: int
    quantity: Decimal


def check_lines(lines: tuple[OrderLine, ...], field: str = "lines") -> None:
    require(len(lines) > 0, field, "at least one line is required")
    numbers = [line.line_number for line in lines]
    require(len(set(numbers)) == len(numbers), field, "line numbers must be unique")
    for index, line in enumerate(lines):
        line.check(f"{field}[{index}]")
