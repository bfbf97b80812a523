"""The purchase order view, for the supplier portal and the buyer: one row per PO, kept whole.

Other documents (ASNs, receipts, invoices, exception cases) write a small link row naming
the purchase orders they concern, so their later events find the views to update.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from domain.goods_receipt import GoodsReceipt
from domain.invoice import Invoice
from domain.order_line import LineQuantity, OrderLine
from domain.purchase_order import PurchaseOrder
from projections.projection import Column, Lookup, Projection, built, evolved
from projections.read_models import (
    AcknowledgementView,
    ChangeRequestView,
    InvoiceView,
    LineView,
    PurchaseOrderView,
    ReceiptView,
    RevisionView,
    ShipmentView,
)
from storage import view_codec

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Link:
    """Which purchase order rows a document concerns; `ref` is its number inside them."""

    targets: tuple[str, ...]
    ref: str


def po_key(number: str) -> str:
    return f"purchaseorder:{PurchaseOrder.create_id(number)}"


def _row_columns(view: Any) -> tuple[Any, ...]:
    if isinstance(view, PurchaseOrderView):
        released = view.released_at.astimezone(UTC).isoformat()
        return ("po", view.supplier, view.status, view.needs_action, released, view.number)
    return ("link", "", "", False, "", "")


purchase_orders = Projection(
    name="purchase_orders",
    columns=(
        Column("kind"),
        Column("supplier", indexed=True),
        Column("status"),
        Column("needs_action", "bool"),
        Column("released_at"),
        Column("number", indexed=True),
    ),
    row_columns=_row_columns,
    split_by="purchaseorder:",  # a rebuild may split the POs between processes (links are shared)
)
view_codec.register(Link, PurchaseOrderView)


def _via_link(prefix: str) -> Any:
    def keys(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
        link = lookup(f"{prefix}:{event.originator_id}")
        return [(target, link.ref) for target in link.targets] if link else []

    return keys


# --- the ERP's document ---------------------------------------------------------------------


@purchase_orders.on("PurchaseOrder.Released", creates=True)
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
        lines=tuple(_new_line(line) for line in event.lines),
        revisions=(_revision(1, event, (), event.lines),),
        acknowledgements=(),
        shipments=(),
        receipts=(),
        invoices=(),
        open_exceptions=0,
        pending_changes=(),  # (every field named: `built` takes its fast path)
    )


@purchase_orders.on("PurchaseOrder.Revised")
def revised(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    before = {line.line_number: line for line in view.lines}
    lines = []
    for line in event.lines:
        old = before.get(line.line_number)
        new = _new_line(line)
        if old is None:
            lines.append(_committed(new, view.shipments))
        else:  # what was shipped, received and invoiced stays with the line
            lines.append(
                _committed(
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
        revisions=(*view.revisions, _revision(event.revision, event, view.lines, event.lines)),
        pending_changes=(),
    )


@purchase_orders.on("PurchaseOrder.Cancelled")
def cancelled(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, status="cancelled", needs_action=False)


@purchase_orders.on("PurchaseOrder.Closed")
def closed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, status="closed", needs_action=False)


# --- the supplier's answers -----------------------------------------------------------------


@purchase_orders.on("PurchaseOrder.Acknowledged")
def acknowledged(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    prov = event.provenance
    answers = {response.line_number: response for response in event.responses}
    lines = []
    for line in view.lines:
        answer = answers.get(line.line_number)
        if answer is None:
            lines.append(_committed(line, view.shipments))
            continue
        status = answer.status.value
        confirms = status not in ("rejected", "pending")
        lines.append(
            _committed(
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


@purchase_orders.on("PurchaseOrder.StaleResponseRecorded")
def stale_response(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    prov = event.provenance
    ack = AcknowledgementView(
        event.answered_revision, 0, event.kind, "", prov.channel.value, prov.actor, prov.at,
        stale=True,
    )  # fmt: skip
    return _touch(view, event, acknowledgements=(*view.acknowledgements, ack))


@purchase_orders.on("PurchaseOrder.ChangeApplied")
def change_applied(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    p = event.proposal
    return _touch(view, event, lines=_confirm(view, p.line_number, p.quantity, p.need_by))


@purchase_orders.on("PurchaseOrder.ChangeEscalated")
def change_escalated(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    p = event.proposal
    request = ChangeRequestView(
        p.proposal_id, p.revision, p.line_number, p.quantity, p.need_by, "; ".join(event.breaches)
    )
    return _touch(view, event, pending_changes=(*view.pending_changes, request))


@purchase_orders.on("PurchaseOrder.ChangeApproved", "PurchaseOrder.ChangeRejected")
def change_decided(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    decided = [c for c in view.pending_changes if c.proposal_id == event.proposal_id]
    remaining = tuple(c for c in view.pending_changes if c.proposal_id != event.proposal_id)
    lines = view.lines
    if decided and type(event).__name__ == "ChangeApproved":
        lines = _confirm(view, decided[0].line_number, decided[0].quantity, decided[0].need_by)
    return _touch(view, event, lines=lines, pending_changes=remaining)


# --- what other documents report against the lines ------------------------------------------


@purchase_orders.on("PurchaseOrder.ShipmentNoticed")
def shipment_noticed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=_add(view, event.quantities, "shipped_quantity"))


@purchase_orders.on("PurchaseOrder.GoodsReceived")
def goods_received(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=_add(view, event.quantities, "received_quantity"))


@purchase_orders.on("PurchaseOrder.Invoiced")
def invoiced(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return _touch(view, event, lines=_add(view, event.quantities, "invoiced_quantity"))


def _asn_targets(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    return [(po_key(order.po_number), event.asn_number) for order in event.orders]


@purchase_orders.on("Shipment.Submitted", keys=_asn_targets, creates=True)
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
    lines = tuple(_committed(line, shipments) for line in view.lines)
    return _touch(view, event, shipments=shipments, lines=lines)


@purchase_orders.on(
    "Shipment.Submitted",
    keys=lambda event, _: ((f"shipment:{event.originator_id}", ""),),
    creates=True,
)
def asn_link(view: Any, event: Any, ref: str) -> Link:
    return Link(tuple(po_key(order.po_number) for order in event.orders), event.asn_number)


@purchase_orders.on("Shipment.MilestoneRecorded", "Shipment.Cancelled", keys=_via_link("shipment"))
def asn_changed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    shipments = []
    for shipment in view.shipments:
        if shipment.asn_number == ref:
            if type(event).__name__ == "Cancelled":
                status = "replaced" if event.replaced_by else "cancelled"
                shipment = evolved(shipment, status=status)
            else:
                eta = event.eta.date() if event.eta else shipment.expected_delivery
                status = "arrived" if event.milestone == "arrived" else shipment.status
                shipment = evolved(
                    shipment, milestone=event.milestone, expected_delivery=eta, status=status
                )
        shipments.append(shipment)
    lines = tuple(_committed(line, tuple(shipments)) for line in view.lines)
    return _touch(view, event, shipments=tuple(shipments), lines=lines)


@purchase_orders.on(
    "GoodsReceipt.Posted", keys=lambda e, _: ((po_key(e.po_number), ""),), creates=True
)
def receipt_posted(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    if view is None:
        return None
    receipt = ReceiptView(
        event.receipt_number, event.po_number, event.asn_number, event.received_on,
        tuple((line.line_number, line.accepted, line.rejected) for line in event.lines),
        has_variance=bool(event.variances),
    )  # fmt: skip
    return _touch(view, event, receipts=(*view.receipts, receipt))


@purchase_orders.on(
    "GoodsReceipt.Posted",
    keys=lambda e, _: ((f"goodsreceipt:{e.originator_id}", ""),),
    creates=True,
)
def receipt_link(view: Any, event: Any, ref: str) -> Link:
    return Link((po_key(event.po_number),), event.receipt_number)


# --- invoices: the supplier sees the lifecycle, the buyer also the match --------------------


@purchase_orders.on(
    "Invoice.Submitted", keys=lambda e, _: ((po_key(e.po_number), ""),), creates=True
)
def invoice_submitted(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    if view is None:
        return None
    total = sum((line.quantity * line.unit_price for line in event.lines), _ZERO)
    invoice = InvoiceView(
        event.invoice_number, event.supplier, event.po_number, event.currency,
        event.invoice_date, total, "submitted", "", (), 0,
    )  # fmt: skip
    return _touch(view, event, invoices=(*view.invoices, invoice))


@purchase_orders.on(
    "Invoice.Submitted",
    keys=lambda e, _: ((f"invoice:{e.originator_id}", ""),),
    creates=True,
)
def invoice_link(view: Any, event: Any, ref: str) -> Link:
    return Link((po_key(event.po_number),), event.invoice_number)


# Supplier-facing status for each internal state: suppliers never see AP controls.
_SUPPLIER_STATUS = {
    "matched": "in_review",
    "blocked": "in_review",
    "approved": "approved",
    "paid": "paid",
    "disputed": "disputed",
}


@purchase_orders.on(
    "Invoice.Matched",
    "Invoice.Blocked",
    "Invoice.Approved",
    "Invoice.Paid",
    "Invoice.Disputed",
    "Invoice.DuplicateSubmitted",
    "Invoice.ErpStatusReported",
    keys=_via_link("invoice"),
)
def invoice_changed(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    invoices = tuple(
        _invoice_evolve(invoice, event) if invoice.invoice_number == ref else invoice
        for invoice in view.invoices
    )
    return _touch(view, event, invoices=invoices)


def _invoice_evolve(invoice: InvoiceView, event: Any) -> InvoiceView:
    name = type(event).__name__
    if name == "DuplicateSubmitted":
        return evolved(invoice, duplicate_submissions=invoice.duplicate_submissions + 1)
    if name == "Blocked":
        reasons = tuple(f"line {f.line_number} {f.rule}: {f.detail}" for f in event.findings)
        return evolved(invoice, status="in_review", match_status="blocked", block_reasons=reasons)
    state = event.status if name == "ErpStatusReported" else name.lower()
    if state in ("matched", "blocked"):
        reasons = (event.reason,) if state == "blocked" and event.reason else ()
        return evolved(invoice, status="in_review", match_status=state, block_reasons=reasons or ())
    return evolved(invoice, status=_SUPPLIER_STATUS[state])


# --- exception cases count against the purchase order they concern --------------------------


def _case_targets(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    kind, _, rest = event.document.partition(":")
    if kind == "po":
        return ((po_key(rest), "+1"),)
    if kind == "receipt":
        link = lookup(f"goodsreceipt:{GoodsReceipt.create_id(rest)}")
    elif kind == "invoice":
        supplier, _, number = rest.partition(":")
        link = lookup(f"invoice:{Invoice.create_id(supplier, number)}")
    else:
        return ()
    return [(target, "+1") for target in link.targets] if link else ()


@purchase_orders.on("ExceptionCase.Opened", keys=_case_targets)
def case_opened(view: PurchaseOrderView | None, event: Any, ref: str) -> Any:
    return None if view is None else evolved(view, open_exceptions=view.open_exceptions + 1)


def _case_link_key(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    # The targets travel in `ref`: they are found through other links, which evolve can't read.
    targets = ",".join(key for key, _ in _case_targets(event, lookup))
    return ((f"exceptioncase:{event.originator_id}", targets),)


@purchase_orders.on("ExceptionCase.Opened", keys=_case_link_key, creates=True)
def case_link(view: Any, event: Any, ref: str) -> Link:
    return Link(tuple(ref.split(",")) if ref else (), "")


@purchase_orders.on("ExceptionCase.Resolved", keys=_via_link("exceptioncase"))
def case_resolved(view: PurchaseOrderView, event: Any, ref: str) -> PurchaseOrderView:
    return evolved(view, open_exceptions=max(0, view.open_exceptions - 1))


# --- helpers ---------------------------------------------------------------------------------


def _new_line(line: OrderLine) -> LineView:
    return built(
        LineView,
        line_number=line.line_number,
        item=line.item,
        description=line.description,
        uom=line.uom,
        ship_to=line.ship_to,
        ordered_quantity=line.quantity,
        unit_price=line.unit_price,
        need_by=line.need_by,
        ack_status="pending",
        ack_source_code="",
        confirmed_quantity=None,
        confirmed_date=None,
        shipped_quantity=_ZERO,
        received_quantity=_ZERO,
        invoiced_quantity=_ZERO,
        commitment="unconfirmed",
    )


def _revision(
    number: int, event: Any, before: Iterable[LineView], after: Iterable[OrderLine]
) -> RevisionView:
    old = {line.line_number: line for line in before}
    new = {line.line_number: line for line in after}
    changed = tuple(
        n
        for n, line in new.items()
        if n in old
        and (old[n].ordered_quantity, old[n].unit_price, old[n].need_by, old[n].item)
        != (line.quantity, line.unit_price, line.need_by, line.item)
    )
    prov = event.provenance
    return built(
        RevisionView, revision=number, recorded_at=prov.at, actor=prov.actor,
        channel=prov.channel.value, lines_added=tuple(n for n in new if n not in old),
        lines_removed=tuple(n for n in old if n not in new), lines_changed=changed,
    )  # fmt: skip


def _committed(line: LineView, shipments: tuple[ShipmentView, ...], **changes: Any) -> LineView:
    """The line with `changes`, and its commitment against the need-by date from facts alone
    (no clock); built once, as a line is the view's most rebuilt value."""
    f = {**line.__dict__, **changes} if changes else line.__dict__
    need_by = f["need_by"]
    if f["ack_status"] == "rejected":
        commitment = "rejected"
    elif f["received_quantity"] >= f["ordered_quantity"]:
        commitment = "received"
    elif f["confirmed_date"] is None:
        commitment = "unconfirmed"
    elif f["confirmed_date"] > need_by:
        commitment = "late"
    elif any(
        s.expected_delivery > need_by and s.status not in ("cancelled", "replaced")
        for s in shipments
        if any(q[1] == f["line_number"] for q in s.quantities)
    ):
        commitment = "at_risk"
    else:
        commitment = "confirmed"
    if not changes and commitment == line.commitment:
        return line
    return evolved(line, **changes, commitment=commitment)


def _confirm(
    view: PurchaseOrderView, number: int, quantity: Decimal | None, need_by: Any
) -> tuple[LineView, ...]:
    lines = []
    for line in view.lines:
        if line.line_number != number:
            lines.append(_committed(line, view.shipments))
            continue
        lines.append(
            _committed(
                line,
                view.shipments,
                confirmed_quantity=quantity if quantity is not None else line.confirmed_quantity,
                confirmed_date=need_by if need_by is not None else line.confirmed_date,
            )
        )
    return tuple(lines)


def _add(
    view: PurchaseOrderView, quantities: tuple[LineQuantity, ...], field: str
) -> tuple[LineView, ...]:
    added = {q.line_number: q.quantity for q in quantities}
    return tuple(
        _committed(line, view.shipments, **{field: getattr(line, field) + added[line.line_number]})
        if line.line_number in added
        else line
        for line in view.lines
    )


def _touch(view: PurchaseOrderView, event: Any, **changes: Any) -> PurchaseOrderView:
    return evolved(view, updated_at=max(view.updated_at, event.provenance.at), **changes)
