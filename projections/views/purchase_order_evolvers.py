"""How the purchase order view evolves: one pure function per kind of event, each
returning a new frozen view (registered per event class in `views/purchase_orders.py`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import domain.invoice
import domain.purchase_order
import domain.shipment
from projections.read_models import (
    AcknowledgementView,
    ChangeRequestView,
    InvoiceView,
    PurchaseOrderView,
    ReceiptView,
    ShipmentView,
)
from projections.views.purchase_order_lines import (
    added,
    committed,
    confirmed,
    new_line,
    revision_view,
)
from storage.view_codec import built, evolved

# The domain's `@event` decorators make most event classes at import: mypy cannot see them,
# so the aggregates are named here as Any (`PurchaseOrder.Revised` is still checked at import).
Invoice: Any = domain.invoice.Invoice
PurchaseOrder: Any = domain.purchase_order.PurchaseOrder
Shipment: Any = domain.shipment.Shipment


_ZERO = Decimal(0)


# --- the ERP's document ---------------------------------------------------------------------


def released(view: Any, event: Any, ref: str) -> PurchaseOrderView:
    at = event.provenance.at
    return built(
        PurchaseOrderView,
        number=event.number,
        supplier=event.supplier,
        currency=event.currency,
        revision=1,
        status="open",
        needs_action=True,
        acknowledged_revision=0,
        released_at=at,
        updated_at=at,
        lines=tuple(new_line(line) for line in event.lines),
        revisions=(revision_view(1, event, (), event.lines),),
        acknowledgements=(),
        shipments=(),
        receipts=(),
        invoices=(),
        open_exceptions=0,
        pending_changes=(),  # (every field named: `built` takes its fast path)
    )


def revised(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    before = {line.line_number: line for line in view.lines}
    lines = []
    for line in event.lines:
        old = before.get(line.line_number)
        new = new_line(line)
        if old is None:
            lines.append(committed(new, view.shipments))
        else:  # what was shipped, received and invoiced stays with the line
            lines.append(
                committed(
                    new,
                    view.shipments,
                    shipped_quantity=old.shipped_quantity,
                    received_quantity=old.received_quantity,
                    invoiced_quantity=old.invoiced_quantity,
                )
            )
    return _touch(
        view,
        event,
        revision=event.revision,
        needs_action=True,
        lines=tuple(lines),
        revisions=(*view.revisions, revision_view(event.revision, event, view.lines, event.lines)),
        pending_changes=(),
    )


def cancelled(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, status="cancelled", needs_action=False)


def closed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, status="closed", needs_action=False)


# --- the supplier's answers -----------------------------------------------------------------


def acknowledged(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    prov = event.provenance
    answers = {response.line_number: response for response in event.responses}
    lines = []
    for line in view.lines:
        answer = answers.get(line.line_number)
        if answer is None:
            lines.append(committed(line, view.shipments))
            continue
        status = answer.status.value
        confirms = status not in ("rejected", "pending")
        lines.append(
            committed(
                line,
                view.shipments,
                ack_status=status,
                ack_source_code=answer.source_code,
                confirmed_quantity=(
                    (answer.confirmed_quantity or line.ordered_quantity) if confirms else None
                ),
                confirmed_date=(answer.confirmed_date or line.need_by) if confirms else None,
            )
        )
    acks = tuple(
        built(
            AcknowledgementView,
            revision=event.revision,
            line_number=r.line_number,
            status=r.status.value,
            source_code=r.source_code,
            channel=prov.channel.value,
            actor=prov.actor,
            at=prov.at,
            stale=False,
        )
        for r in event.responses
    )
    return _touch(
        view,
        event,
        lines=tuple(lines),
        acknowledged_revision=event.revision,
        needs_action=any(line.ack_status == "pending" for line in lines),
        acknowledgements=view.acknowledgements + acks,
    )


def stale_response(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    prov = event.provenance
    ack = AcknowledgementView(
        event.answered_revision, 0, event.kind, "", prov.channel.value, prov.actor, prov.at,
        stale=True,
    )  # fmt: skip
    return _touch(view, event, acknowledgements=(*view.acknowledgements, ack))


def change_applied(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    p = event.proposal
    return _touch(view, event, lines=confirmed(view, p.line_number, p.quantity, p.need_by))


def change_escalated(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    p = event.proposal
    request = ChangeRequestView(
        p.proposal_id, p.revision, p.line_number, p.quantity, p.need_by, "; ".join(event.breaches)
    )
    return _touch(view, event, pending_changes=(*view.pending_changes, request))


def change_decided(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    decided = [c for c in view.pending_changes if c.proposal_id == event.proposal_id]
    remaining = tuple(c for c in view.pending_changes if c.proposal_id != event.proposal_id)
    lines = view.lines
    if decided and isinstance(event, PurchaseOrder.ChangeApproved):
        lines = confirmed(view, decided[0].line_number, decided[0].quantity, decided[0].need_by)
    return _touch(view, event, lines=lines, pending_changes=remaining)


# --- what other documents report against the lines ------------------------------------------


def shipment_noticed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=added(view, event.quantities, "shipped_quantity"))


def goods_received(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=added(view, event.quantities, "received_quantity"))


def invoiced(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=added(view, event.quantities, "invoiced_quantity"))


def asn_submitted(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    if view is None:
        return None
    quantities = tuple(
        (order.po_number, q.line_number, q.quantity)
        for order in event.orders
        for q in order.quantities()
    )
    shipment = ShipmentView(
        event.asn_number, event.supplier, "submitted", "", event.ship_date,
        event.expected_delivery, event.carrier, event.tracking_number,
        tuple(order.po_number for order in event.orders), quantities,
    )  # fmt: skip
    shipments = (*view.shipments, shipment)
    lines = tuple(committed(line, shipments) for line in view.lines)
    return _touch(view, event, shipments=shipments, lines=lines)


def asn_changed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    shipments = []
    for shipment in view.shipments:
        if shipment.asn_number == ref:
            if isinstance(event, Shipment.Cancelled):
                status = "replaced" if event.replaced_by else "cancelled"
                shipment = evolved(shipment, status=status)
            else:
                eta = event.eta.date() if event.eta else shipment.expected_delivery
                status = "arrived" if event.milestone == "arrived" else shipment.status
                shipment = evolved(
                    shipment, milestone=event.milestone, expected_delivery=eta, status=status
                )
        shipments.append(shipment)
    lines = tuple(committed(line, tuple(shipments)) for line in view.lines)
    return _touch(view, event, shipments=tuple(shipments), lines=lines)


def receipt_posted(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    if view is None:
        return None
    receipt = ReceiptView(
        event.receipt_number, event.po_number, event.asn_number, event.received_on,
        tuple((line.line_number, line.accepted, line.rejected) for line in event.lines),
        has_variance=bool(event.variances),
    )  # fmt: skip
    return _touch(view, event, receipts=(*view.receipts, receipt))


# --- invoices: the supplier sees the lifecycle, the buyer also the match --------------------


def invoice_submitted(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    if view is None:
        return None
    total = sum((line.quantity * line.unit_price for line in event.lines), _ZERO)
    invoice = InvoiceView(
        event.invoice_number, event.supplier, event.po_number, event.currency,
        event.invoice_date, total, "submitted", "", (), 0,
    )  # fmt: skip
    return _touch(view, event, invoices=(*view.invoices, invoice))


# The internal state each invoice event reports (an ERP status report names its own).
_STATE = {
    Invoice.Matched: "matched",
    Invoice.Approved: "approved",
    Invoice.Paid: "paid",
    Invoice.Disputed: "disputed",
}
# Supplier-facing status for each internal state: suppliers never see AP controls.
_SUPPLIER_STATUS = {
    "matched": "in_review",
    "blocked": "in_review",
    "approved": "approved",
    "paid": "paid",
    "disputed": "disputed",
}


def invoice_changed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    invoices = tuple(
        invoice_evolved(invoice, event) if invoice.invoice_number == ref else invoice
        for invoice in view.invoices
    )
    return _touch(view, event, invoices=invoices)


def invoice_evolved(invoice: InvoiceView, event: Any) -> InvoiceView:
    if isinstance(event, Invoice.DuplicateSubmitted):
        return evolved(invoice, duplicate_submissions=invoice.duplicate_submissions + 1)
    if isinstance(event, Invoice.Blocked):
        reasons = tuple(f"line {f.line_number} {f.rule}: {f.detail}" for f in event.findings)
        return evolved(invoice, status="in_review", match_status="blocked", block_reasons=reasons)
    state = event.status if isinstance(event, Invoice.ErpStatusReported) else _STATE[type(event)]
    if state in ("matched", "blocked"):
        reasons = (event.reason,) if state == "blocked" and event.reason else ()
        return evolved(invoice, status="in_review", match_status=state, block_reasons=reasons or ())
    return evolved(invoice, status=_SUPPLIER_STATUS[state])


# --- exception cases count against the purchase order they concern --------------------------


def case_opened(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    return None if view is None else evolved(view, open_exceptions=view.open_exceptions + 1)


def case_resolved(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return evolved(view, open_exceptions=max(0, view.open_exceptions - 1))


def _touch(view: PurchaseOrderView, event: Any, **changes: Any) -> PurchaseOrderView:
    return evolved(view, updated_at=max(view.updated_at, event.provenance.at), **changes)
