"""A purchase order for the outbound writers, with items mock-edi's catalogue sells."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.edi.order import OrderLine, OutboundOrder


def an_order(number: str = "PO-4711", *, revision: int = 0, units: str = "EA") -> OutboundOrder:
    """Two lines; ``units="PCE"`` for EDIFACT's unit codes (UN/ECE Recommendation 20)."""
    return OutboundOrder(
        number=number,
        revision=revision,
        issued=date(2026, 12, 4),
        buyer_id="ACMEPLANT",
        supplier_id="MOCKEDI",
        lines=(
            OrderLine(1, "WIDGET-001", Decimal("100"), units, Decimal("12.50"), date(2026, 12, 20)),
            OrderLine(2, "GEAR-100", Decimal("2.5"), units, Decimal("8.9"), date(2026, 12, 21)),
        ),
    )
