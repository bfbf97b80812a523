"""How far a supplier's answer may stray from the order before a buyer must decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.limits import Days, Percent


@dataclass(frozen=True)
class TolerancePolicy:
    quantity_pct: Percent = Decimal("5")
    days_early: Days = 3
    days_late: Days = 2
    price_pct: Percent = Decimal("2")

    def quantity_breach(self, ordered: Decimal, proposed: Decimal) -> str:
        if ordered == 0:
            return "" if proposed == 0 else f"quantity {proposed} against 0 ordered"
        deviation = abs(proposed - ordered) * 100 / ordered
        if deviation > self.quantity_pct:
            limit = f"limit {self.quantity_pct}%"
            return f"quantity {proposed} deviates {deviation:.1f}% from {ordered} ({limit})"
        return ""

    def date_breach(self, needed: date, proposed: date) -> str:
        shift = (proposed - needed).days
        if shift > self.days_late:
            return f"date {proposed} is {shift} days late (limit {self.days_late})"
        if -shift > self.days_early:
            return f"date {proposed} is {-shift} days early (limit {self.days_early})"
        return ""

    def price_breach(self, agreed: Decimal, charged: Decimal) -> str:
        if agreed == 0:
            return "" if charged == 0 else f"price {charged} against 0 agreed"
        deviation = abs(charged - agreed) * 100 / agreed
        if deviation > self.price_pct:
            return (
                f"price {charged} deviates {deviation:.1f}% from {agreed} (limit {self.price_pct}%)"
            )
        return ""


DEFAULT_TOLERANCE = TolerancePolicy()
