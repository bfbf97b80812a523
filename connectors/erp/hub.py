"""The hub side of every ERP adapter: what the hub holds of an order, and applying messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from eventsourcing.application import AggregateNotFoundError

from connectors.erp.seam import ErpMessage, KnownOrder
from domain.application import SupplyHub
from domain.outcome import Outcome
from domain.provenance import Channel, Provenance
from domain.purchase_order import PurchaseOrder

Clock = Callable[[], datetime]


class HubOrdersOf:
    """`HubOrders` over the hub's own log (the adapter's question is about the aggregate the
    next command will meet, not about a read model that may lag)."""

    def __init__(self, hub: SupplyHub) -> None:
        self._hub = hub

    def known_order(self, po_number: str) -> KnownOrder | None:
        try:
            po: object = self._hub.repository.get(PurchaseOrder.create_id(po_number))
        except AggregateNotFoundError:
            return None
        assert isinstance(po, PurchaseOrder)
        return KnownOrder(po.revision, po.status)


def apply(
    hub: SupplyHub, messages: Sequence[ErpMessage], actor: str, clock: Clock
) -> list[Outcome]:
    """Hand each message to the hub in order; a domain refusal propagates to the caller."""
    return [hub.handle(m.command, provenance(m, actor, clock())) for m in messages]


def provenance(message: ErpMessage, actor: str, at: datetime) -> Provenance:
    """The ERP adapter's keys live in its own namespace, `actor` (one per ERP database)."""
    return Provenance(
        message_id=message.message_id,
        correlation_id=message.message_id,
        causation_id=message.message_id,
        actor=actor,
        channel=Channel.ERP,
        at=at,
        payload_ref=message.payload_ref,
    )
