"""Write-backs to the ERP as a tracked subscriber of the event log (never a dual write).

The supplier's acknowledgement is recorded in the hub first (the API answers from the hub
alone); this subscriber reads the `Acknowledged` events (and the `ChangeApplied` /
`ChangeApproved` ones: a quantity or date agreed through a change proposal, inside the
supplier's tolerance or approved by the buyer) after its tracked position, in log order, and
hands those of orders this ERP released to the adapter's `ErpWriteBack` (`acknowledge`;
`amend` for a quantity, before the date). The
position (`connectors/tracking.py`, the relay's store) moves past an event only once its
write-back landed or the ERP refused it:

- the ERP away (a `ConnectionError`): nothing moves; the worker's ResilientLoop retries with
  backoff, and the same event is written back first: per document, and overall, in order;
- a business refusal (`ErpRefusedError`): a `RecordErpRefusal` opens an `erp_refused` case for
  the buyer with the ERP's message, keyed by the log position, so a replay opens nothing new;
- a crash between the ERP's write and the position's commit: the event is written back
  again, and the adapter, which reads the ERP's state first and writes only what differs,
  writes nothing twice (docs/erp.md says why this and not one transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Final

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Notification

from connectors.erp.hub import provenance
from connectors.erp.seam import (
    Acknowledgement,
    ErpMessage,
    ErpRefusedError,
    ErpWriteBack,
    LineChange,
    LineDate,
)
from connectors.workers.positions import PositionStore, behind, follow
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.change_proposal import ChangeProposal
from domain.commands import RecordErpRefusal
from domain.purchase_order import PurchaseOrder
from domain.supplier import Supplier
from domain.tolerance import TolerancePolicy

log = logging.getLogger(__name__)

ACKNOWLEDGED: Final = "supplyhub:PurchaseOrder.Acknowledged"
CHANGE_APPLIED: Final = "supplyhub:PurchaseOrder.ChangeApplied"  # inside tolerance
CHANGE_APPROVED: Final = "supplyhub:PurchaseOrder.ChangeApproved"  # by the buyer
TOPICS: Final = (ACKNOWLEDGED, CHANGE_APPLIED, CHANGE_APPROVED)
_ACCEPTED = (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_CHANGES)
Call = tuple[str, Callable[[], str]]  # (the action a refusal names, the write-back)
_MAX_REFERENCE: Final = 35  # Tryton's `reference` is free text; keep it a reference


class WriteBacks:
    """The write-back subscriber of one ERP (`actor`: whose releases it writes back)."""

    def __init__(
        self,
        hub: SupplyHub,
        positions: PositionStore,
        writer: ErpWriteBack,
        actor: str,
        clock: Callable[[], datetime],
        *,
        batch_size: int = 100,
    ) -> None:
        self.hub = hub
        self.positions = positions
        self.writer = writer
        self.actor = actor
        self.name = position_name(actor)
        self.clock = clock
        self.batch_size = batch_size
        self._origin: dict[Any, bool] = {}  # PO id -> released by this ERP (never changes)

    def pending(self) -> int:
        return pending(self.hub, self.positions, self.actor)

    def step(self) -> int:
        """Write back the next batch, in log order; returns how many events it handled."""
        return follow(
            self.hub.recorder, self.positions, self.name, TOPICS, self.batch_size, self._write_back
        )

    def _write_back(self, notification: Notification) -> None:
        event: Any = self.hub.mapper.to_domain_event(notification)
        if not self._released_here(event.originator_id):
            return
        po: object = self.hub.repository.get(event.originator_id, version=event.originator_version)
        assert isinstance(po, PurchaseOrder)
        if notification.topic == ACKNOWLEDGED:
            ack = acknowledgement(po, event, self._tolerance(po.supplier))
            calls: list[Call] = [("acknowledge", partial(self.writer.acknowledge, ack))]
        else:
            calls = self._agreed(
                po, getattr(event, "proposal", None) or po.proposals[event.proposal_id]
            )
        # The amendment first (Tryton makes new moves for it); its refusal is its own case
        # and the date is still written (a quoted PO takes the date, not the quantity).
        for action, call in calls:
            try:
                done = call()
            except ErpRefusedError as refusal:
                log.warning("%s: %s refused: %s", self.name, po.number, refusal.message)
                key = f"{notification.id}:amend" if action == "amend" else str(notification.id)
                self._record_refusal(key, po.number, action, refusal.message)
                continue
            log.info("%s: %s %s: %s", self.name, po.number, action, done)

    def _agreed(self, po: PurchaseOrder, proposal: ChangeProposal) -> list[Call]:
        """A change proposal agreed (applied inside tolerance, or approved by the buyer):
        its quantity as an amendment, its date as a dated answer without `confirm`; a split
        has no single line or move in the ERP to take it, so it stays in the hub."""
        calls: list[Call] = []
        if proposal.splits:
            return calls
        if proposal.quantity is not None:
            change = LineChange(proposal.line_number, quantity=proposal.quantity)
            amend = partial(self.writer.amend, po.number, (change,), revision=proposal.revision)
            calls.append(("amend", amend))
        if (dated := agreed_date(po, proposal)) is not None:
            calls.append(("change", partial(self.writer.acknowledge, dated)))
        return calls

    def _tolerance(self, supplier: str) -> TolerancePolicy:
        try:
            found: object = self.hub.repository.get(Supplier.create_id(supplier))
        except AggregateNotFoundError:
            return self.hub.default_tolerance
        assert isinstance(found, Supplier)
        return found.tolerance_or(self.hub.default_tolerance)

    def _released_here(self, po_id: Any) -> bool:
        if po_id not in self._origin:
            first = next(iter(self.hub.events.get(po_id, lte=1)), None)
            provenance = getattr(first, "provenance", None)
            self._origin[po_id] = getattr(provenance, "actor", None) == self.actor
        return self._origin[po_id]

    def _record_refusal(self, key: str, po_number: str, action: str, message: str) -> None:
        """`key`: the log position (and `:amend` for an amendment's), so a replay opens
        no second case."""
        refusal = ErpMessage(
            RecordErpRefusal(po_number, action, message[:1000]), f"{self.name}:{key}",
            f"log:{key.split(':')[0]}",
        )  # fmt: skip
        self.hub.handle(refusal.command, provenance(refusal, self.actor, self.clock()))


def agreed_date(po: PurchaseOrder, proposal: ChangeProposal) -> Acknowledgement | None:
    """A change proposal's new date, agreed (applied inside tolerance, or approved): the ERP
    moves the line's date, and confirms nothing. None for a change without a single date."""
    if proposal.need_by is None or proposal.splits:
        return None
    line = LineDate(proposal.line_number, proposal.need_by)
    return Acknowledgement(po.number, proposal.revision, "", (line,), confirm=False)


def position_name(actor: str) -> str:
    return f"erp-writeback:{actor}"


def pending(hub: SupplyHub, positions: PositionStore, actor: str, limit: int = 10_000) -> int:
    """Acknowledgements after the tracked position (counted up to `limit`), those of orders
    another ERP released included: what the subscriber still has to read."""
    return behind(hub.recorder, positions, position_name(actor), TOPICS, limit)


def acknowledgement(po: PurchaseOrder, event: Any, policy: TolerancePolicy) -> Acknowledgement:
    """What the ERP hears of an `Acknowledged` event (pure): the supplier's message id as its
    reference, the dates it confirmed, and `confirm` when it accepted every line as ordered,
    with dates inside its tolerance (a date beyond it is the buyer's to accept first: the hub
    opened a tolerance case; the ERP shows the date, unconfirmed)."""
    responses = tuple(event.responses)
    dates = tuple(
        LineDate(r.line_number, r.confirmed_date)
        for r in responses
        if r.status in _ACCEPTED and r.confirmed_date is not None
    )
    as_ordered = all(
        r.status in _ACCEPTED
        and r.confirmed_quantity in (None, po.lines[r.line_number].quantity)
        and r.confirmed_price in (None, po.lines[r.line_number].unit_price)
        and not (
            r.confirmed_date
            and policy.date_breach(po.lines[r.line_number].need_by, r.confirmed_date)
        )
        for r in responses
    )
    every_line = {r.line_number for r in responses} == set(po.lines)
    reference = str(event.provenance.message_id)[:_MAX_REFERENCE]
    return Acknowledgement(po.number, event.revision, reference, dates, as_ordered and every_line)
