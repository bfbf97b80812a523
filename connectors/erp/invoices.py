"""Matched supplier invoices to the ERP as a tracked subscriber of the event log, the twin of
`writebacks.py` (the same position store, the same rules: the ERP away moves nothing, a
business refusal opens an `erp_refused` case keyed by the log position and moves on).

It reads `Invoice.Matched` (the three-way match passed) and `Invoice.Approved` (the buyer
released a blocked one) after its position `erp-invoice:<actor>`, skips invoices of orders
another ERP released, and hands each to the adapter's `ErpInvoicePosting`, which reads the
ERP first, so a matched-then-approved invoice, or a replay after a crash, posts once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from eventsourcing.persistence import Notification

from connectors.erp.hub import provenance
from connectors.erp.seam import (
    ErpInvoicePosting,
    ErpMessage,
    ErpRefusedError,
    InvoiceItem,
    SupplierInvoice,
)
from connectors.workers.positions import PositionStore, behind, follow
from domain.application import SupplyHub
from domain.commands import RecordErpRefusal
from domain.purchase_order import PurchaseOrder

log = logging.getLogger(__name__)

MATCHED: Final = "supplyhub:Invoice.Matched"
APPROVED: Final = "supplyhub:Invoice.Approved"
TOPICS: Final = (MATCHED, APPROVED)
_CENT: Final = Decimal("0.01")


class InvoiceWriteBacks:
    """The invoice subscriber of one ERP (`actor`: whose releases it posts invoices for)."""

    def __init__(
        self, hub: SupplyHub, positions: PositionStore, poster: ErpInvoicePosting, actor: str,
        clock: Callable[[], datetime], *, batch_size: int = 100,
    ) -> None:  # fmt: skip
        self.hub = hub
        self.positions = positions
        self.poster = poster
        self.actor = actor
        self.name = position_name(actor)
        self.clock = clock
        self.batch_size = batch_size

    def pending(self) -> int:
        return pending(self.hub, self.positions, self.actor)

    def step(self) -> int:
        """Post the next batch, in log order; returns how many events it handled."""
        return follow(
            self.hub.recorder, self.positions, self.name, TOPICS, self.batch_size, self._post
        )

    def _post(self, notification: Notification) -> None:
        event: Any = self.hub.mapper.to_domain_event(notification)
        submitted: Any = next(iter(self.hub.events.get(event.originator_id, lte=1)))
        if not self._released_here(submitted.po_number):
            return
        invoice = supplier_invoice(submitted)
        try:
            done = self.poster.post_invoice(invoice)
        except ErpRefusedError as refusal:
            log.warning("%s: invoice %s refused: %s", self.name, invoice.invoice_number,
                        refusal.message)  # fmt: skip
            reason = f"invoice {invoice.invoice_number}: {refusal.message}"[:1000]
            refused = RecordErpRefusal(invoice.po_number, "invoice", reason)
            key = f"{self.name}:{notification.id}"
            message = ErpMessage(refused, key, f"log:{notification.id}")
            self.hub.handle(message.command, provenance(message, self.actor, self.clock()))
            return
        log.info("%s: invoice %s: %s", self.name, invoice.invoice_number, done)

    def _released_here(self, po_number: str) -> bool:
        first = next(iter(self.hub.events.get(PurchaseOrder.create_id(po_number), lte=1)), None)
        return getattr(getattr(first, "provenance", None), "actor", None) == self.actor


def supplier_invoice(submitted: Any) -> SupplierInvoice:
    """What the ERP hears of an invoice, from its `Submitted` event (pure)."""
    items = tuple(
        InvoiceItem(line.line_number, line.quantity,
                    (line.quantity * line.unit_price).quantize(_CENT, ROUND_HALF_UP))
        for line in submitted.lines
    )  # fmt: skip
    return SupplierInvoice(
        submitted.invoice_number, submitted.supplier, submitted.po_number, submitted.currency,
        submitted.invoice_date, items,
    )  # fmt: skip


def position_name(actor: str) -> str:
    return f"erp-invoice:{actor}"


def pending(hub: SupplyHub, positions: PositionStore, actor: str, limit: int = 10_000) -> int:
    return behind(hub.recorder, positions, position_name(actor), TOPICS, limit)
