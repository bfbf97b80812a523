"""Small builders for test inputs: envelopes, order lines, a hub on either store."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from eventsourcing.domain import Aggregate, CanMutateAggregate

from domain import (
    alert_rule,
    exception_case,
    goods_receipt,
    invoice,
    portal_view,
    processed_message,
    purchase_order,
    quality_event,
    shipment,
    supplier,
    trading_partner,
)
from domain.order_line import OrderLine
from domain.provenance import Channel, Provenance

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
NEED_BY = date(2026, 12, 1)
_ids = itertools.count(1)

AGGREGATES: list[type[Aggregate]] = [
    trading_partner.TradingPartner,
    supplier.Supplier,
    purchase_order.PurchaseOrder,
    shipment.Shipment,
    goods_receipt.GoodsReceipt,
    invoice.Invoice,
    quality_event.QualityEvent,
    exception_case.ExceptionCase,
    processed_message.ProcessedMessage,
    alert_rule.AlertRule,
    portal_view.PortalView,
]
EVENTS = [  # every event class the domain can record
    event
    for aggregate in AGGREGATES
    for name, event in vars(aggregate).items()
    if isinstance(event, type)
    and issubclass(event, CanMutateAggregate)
    and name not in ("Event", "Created")
]


def envelope(
    channel: Channel = Channel.ERP,
    *,
    message_id: str | None = None,
    tenant: str = "",
    at: datetime | None = None,
) -> Provenance:
    n = next(_ids)
    message_id = message_id or f"msg-{n}"
    return Provenance(
        message_id=message_id,
        correlation_id=f"corr-{n}",
        causation_id=message_id,
        actor=f"supplier:{tenant}" if tenant else "erp-connector",
        channel=channel,
        at=at or T0 + timedelta(minutes=n),
        payload_ref=f"raw/{message_id}",
        tenant=tenant,
    )


def line(
    number: int = 10, quantity: str = "100", price: str = "2.50", **changes: object
) -> OrderLine:
    base = OrderLine(
        line_number=number,
        item=f"ITEM-{number}",
        quantity=Decimal(quantity),
        uom="EA",
        unit_price=Decimal(price),
        need_by=NEED_BY,
        ship_to="PLANT-DE01",
    )
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def lines(count: int = 2) -> tuple[OrderLine, ...]:
    return tuple(line(10 * (i + 1)) for i in range(count))


def unique(prefix: str) -> str:
    """A key no other test of a shared store uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
