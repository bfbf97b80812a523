"""An advance ship notice: shipment -> order -> pack -> item, then its milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, require
from domain.identity import document_id
from domain.limits import (
    MAX_LINES,
    MAX_REFERENCES,
    DocumentNumber,
    ItemCode,
    LineNumber,
    Quantity,
    Reference,
)
from domain.order_line import LineQuantity, require_named_once
from domain.provenance import Provenance

_T = "supplyhub:Shipment"


class Milestone(StrEnum):
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    DELAYED = "delayed"
    ARRIVED = "arrived"


@dataclass(frozen=True)
class AsnItem:
    line_number: LineNumber
    quantity: Quantity
    item: ItemCode = ""
    lots: Annotated[tuple[Reference, ...], MAX_REFERENCES] = ()
    serials: Annotated[tuple[Reference, ...], MAX_REFERENCES] = ()


@dataclass(frozen=True)
class AsnPack:
    """A pallet or carton, by its SSCC or the supplier's pack id."""

    pack_id: Reference
    items: Annotated[tuple[AsnItem, ...], MAX_LINES]


@dataclass(frozen=True)
class AsnOrder:
    po_number: DocumentNumber
    packs: Annotated[tuple[AsnPack, ...], MAX_LINES]

    def quantities(self) -> tuple[LineQuantity, ...]:
        totals: dict[int, Decimal] = {}
        for pack in self.packs:
            for item in pack.items:
                totals[item.line_number] = totals.get(item.line_number, Decimal(0)) + item.quantity
        return tuple(LineQuantity(number, qty) for number, qty in sorted(totals.items()))


class Shipment(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(supplier: str, asn_number: str) -> UUID:
        return document_id("asn", f"{supplier}:{asn_number}")

    @classmethod
    def submit(
        cls,
        asn_number: str,
        supplier: str,
        ship_date: date,
        expected_delivery: date,
        carrier: str,
        tracking_number: str,
        orders: tuple[AsnOrder, ...],
        provenance: Provenance,
    ) -> Shipment:
        require(bool(asn_number.strip()), "asn_number", "must not be empty")
        require(len(orders) > 0, "orders", "an ASN ships at least one order")
        require(expected_delivery >= ship_date, "expected_delivery", "must not precede ship_date")
        named: set[str] = set()
        for o, order in enumerate(orders):
            require(order.po_number not in named, f"orders[{o}].po_number",
                    f"purchase order {order.po_number} is named twice")  # fmt: skip
            named.add(order.po_number)
            require(len(order.packs) > 0, f"orders[{o}].packs", "at least one pack")
            for p, pack in enumerate(order.packs):
                require(len(pack.items) > 0, f"orders[{o}].packs[{p}].items", "at least one item")
                # One line on several packs is a split shipment, counted once in their sum;
                # twice in one pack is a mistake that would count it twice.
                items = f"orders[{o}].packs[{p}].items"
                require_named_once((item.line_number for item in pack.items), items)
                for i, item in enumerate(pack.items):
                    field = f"orders[{o}].packs[{p}].items[{i}].quantity"
                    require(item.quantity > 0, field, "must be greater than 0")
        return cls(
            asn_number, supplier, ship_date, expected_delivery, carrier, tracking_number, orders,
            provenance,
        )  # fmt: skip

    @event("Submitted", topic=f"{_T}.Submitted")
    def __init__(
        self,
        asn_number: str,
        supplier: str,
        ship_date: date,
        expected_delivery: date,
        carrier: str,
        tracking_number: str,
        orders: tuple[AsnOrder, ...],
        provenance: Provenance,
    ) -> None:
        self.asn_number = asn_number
        self.supplier = supplier
        self.ship_date = ship_date
        self.expected_delivery = expected_delivery
        self.orders = tuple(orders)
        self.status = "submitted"
        self.milestone = ""

    def quantities_for(self, po_number: str) -> tuple[LineQuantity, ...]:
        for order in self.orders:
            if order.po_number == po_number:
                return order.quantities()
        return ()

    def record_milestone(
        self, milestone: Milestone, eta: datetime | None, note: str, provenance: Provenance
    ) -> None:
        self._require_active()
        if milestone is Milestone.DELAYED:
            require(eta is not None, "eta", "a delay must give the new expected arrival")
        self._milestone_recorded(milestone.value, eta, note, provenance)

    @event("MilestoneRecorded", topic=f"{_T}.MilestoneRecorded")
    def _milestone_recorded(
        self, milestone: str, eta: datetime | None, note: str, provenance: Provenance
    ) -> None:
        self.milestone = milestone
        if eta is not None:
            self.expected_delivery = eta.date()
        if milestone == Milestone.ARRIVED:
            self.status = "arrived"

    def cancel(self, reason: str, replaced_by: str, provenance: Provenance) -> None:
        self._require_active()
        self._cancelled(reason, replaced_by, provenance)

    @event("Cancelled", topic=f"{_T}.Cancelled")
    def _cancelled(self, reason: str, replaced_by: str, provenance: Provenance) -> None:
        self.status = "replaced" if replaced_by else "cancelled"

    def is_active(self) -> bool:
        """Not cancelled nor replaced: its quantities still count as shipped."""
        return self.status not in ("cancelled", "replaced")

    def _require_active(self) -> None:
        if self.status in ("cancelled", "replaced"):
            raise ConflictError(f"ASN {self.asn_number} is {self.status}")
