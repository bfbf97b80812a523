"""The purchase order view, for the supplier portal and the buyer: one row per PO, kept whole.

Other documents (ASNs, receipts, invoices, exception cases) write a small link row naming
the purchase orders they concern, so their later events find the views to update. This
module says which rows each event touches and which evolve function it gets; the
functions are in `purchase_order_evolvers.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import domain.exception_case
import domain.goods_receipt
import domain.invoice
import domain.purchase_order
import domain.shipment
from projections import service_levels
from projections.projection import Column, Keys, Lookup, Projection
from projections.read_models import PurchaseOrderView
from projections.views import purchase_order_evolvers as po
from storage import view_codec

# The domain's `@event` decorators make most event classes at import: mypy cannot see them,
# so the aggregates are named here as Any (`PurchaseOrder.Revised` is still checked at import).
ExceptionCase: Any = domain.exception_case.ExceptionCase
GoodsReceipt: Any = domain.goods_receipt.GoodsReceipt
Invoice: Any = domain.invoice.Invoice
PurchaseOrder: Any = domain.purchase_order.PurchaseOrder
Shipment: Any = domain.shipment.Shipment


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
        blocked = sum(invoice.match_status == "blocked" for invoice in view.invoices)
        return ("po", view.supplier, view.status, view.needs_action, released, view.number,
                blocked, _moment(service_levels.ack_due(view)),
                _moment(service_levels.asn_due(view)))  # fmt: skip
    return ("link", "", "", False, "", "", 0, None, None)


def _moment(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


purchase_orders = Projection(
    name="purchase_orders",
    columns=(
        Column("kind"),
        Column("supplier", indexed=True),
        Column("status"),
        Column("needs_action", "bool", indexed=True),  # the console counts those awaiting
        Column("released_at"),
        Column("number", indexed=True),
        Column("blocked_invoices", "int", indexed=True),  # the console's count, summed
        # When the current revision's acknowledgement falls due, and the first line's ASN
        # (NULL when none is awaited): "late responses" and "ASNs missing past cutoff" are
        # the orders whose time passed, read on these indexes as of the request.
        Column("ack_due", indexed=True),
        Column("asn_due", indexed=True),
    ),
    row_columns=_row_columns,
    split_by="purchaseorder:",  # a rebuild may split the POs between processes (links are shared)
)
view_codec.register(Link, PurchaseOrderView)


# --- which rows an event touches -------------------------------------------------------------


def _via_link(prefix: str) -> Keys:
    def keys(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
        link = lookup(f"{prefix}:{event.originator_id}")
        return [(target, link.ref) for target in link.targets] if link else []

    return keys


def _own_link(prefix: str) -> Keys:
    return lambda event, _: ((f"{prefix}:{event.originator_id}", ""),)


def _asn_targets(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    return [(po_key(order.po_number), event.asn_number) for order in event.orders]


def _ordered(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    """The row of the purchase order a receipt or an invoice names."""
    return ((po_key(event.po_number), ""),)


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


def _case_link_key(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    # The targets travel in `ref`: they are found through other links, which evolve can't read.
    targets = ",".join(key for key, _ in _case_targets(event, lookup))
    return ((f"exceptioncase:{event.originator_id}", targets),)


# --- the link rows -----------------------------------------------------------------------------


def _asn_link(view: Any, event: Any, ref: str) -> Link:
    return Link(tuple(po_key(order.po_number) for order in event.orders), event.asn_number)


def _receipt_link(view: Any, event: Any, ref: str) -> Link:
    return Link((po_key(event.po_number),), event.receipt_number)


def _invoice_link(view: Any, event: Any, ref: str) -> Link:
    return Link((po_key(event.po_number),), event.invoice_number)


def _case_link(view: Any, event: Any, ref: str) -> Link:
    return Link(tuple(ref.split(",")) if ref else (), "")


# --- which evolve function each event gets (in this order, where an event has several) -------

on = purchase_orders.on
# the ERP's document
on(PurchaseOrder.Released, creates=True)(po.released)
on(PurchaseOrder.Revised)(po.revised)
on(PurchaseOrder.Cancelled)(po.cancelled)
on(PurchaseOrder.Closed)(po.closed)
# the supplier's answers
on(PurchaseOrder.Acknowledged)(po.acknowledged)
on(PurchaseOrder.StaleResponseRecorded)(po.stale_response)
on(PurchaseOrder.ChangeApplied)(po.change_applied)
on(PurchaseOrder.ChangeEscalated)(po.change_escalated)
on(PurchaseOrder.ChangeApproved, PurchaseOrder.ChangeRejected)(po.change_decided)
# what other documents report against the lines
on(PurchaseOrder.ShipmentNoticed)(po.shipment_noticed)
on(PurchaseOrder.GoodsReceived)(po.goods_received)
on(PurchaseOrder.Invoiced)(po.invoiced)
on(Shipment.Submitted, keys=_asn_targets, creates=True)(po.asn_submitted)
on(Shipment.Submitted, keys=_own_link("shipment"), creates=True)(_asn_link)
on(Shipment.MilestoneRecorded, Shipment.Cancelled, keys=_via_link("shipment"))(po.asn_changed)
on(GoodsReceipt.Posted, keys=_ordered, creates=True)(po.receipt_posted)
on(GoodsReceipt.Posted, keys=_own_link("goodsreceipt"), creates=True)(_receipt_link)
# invoices: the supplier sees the lifecycle, the buyer also the match
on(Invoice.Submitted, keys=_ordered, creates=True)(po.invoice_submitted)
on(Invoice.Submitted, keys=_own_link("invoice"), creates=True)(_invoice_link)
on(
    Invoice.Matched,
    Invoice.Blocked,
    Invoice.Approved,
    Invoice.Paid,
    Invoice.Disputed,
    Invoice.DuplicateSubmitted,
    Invoice.ErpStatusReported,
    keys=_via_link("invoice"),
)(po.invoice_changed)
# exception cases count against the purchase order they concern
on(ExceptionCase.Opened, keys=_case_targets)(po.case_opened)
on(ExceptionCase.Opened, keys=_case_link_key, creates=True)(_case_link)
on(ExceptionCase.Resolved, keys=_via_link("exceptioncase"))(po.case_resolved)
