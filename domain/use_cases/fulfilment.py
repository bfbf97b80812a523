"""Ship notices and goods receipts against purchase orders."""

from __future__ import annotations

from domain import commands as c
from domain.errors import NotFoundError, ValidationError
from domain.exception_case import Category
from domain.goods_receipt import GoodsReceipt, find_variances
from domain.outcome import Outcome
from domain.purchase_order import PurchaseOrder
from domain.shipment import Milestone, Shipment
from domain.use_cases.context import Context


def submit_ship_notice(ctx: Context, cmd: c.SubmitShipNotice) -> Outcome:
    ctx.check_tenant(cmd.supplier, "supplier", cmd.supplier)
    ctx.supplier(cmd.supplier)
    asn_id = Shipment.create_id(cmd.supplier, cmd.asn_number)
    ctx.uow.require_absent(asn_id, f"ASN {cmd.asn_number}")
    asn = Shipment.submit(
        cmd.asn_number, cmd.supplier, cmd.ship_date, cmd.expected_delivery, cmd.carrier,
        cmd.tracking_number, cmd.orders, ctx.provenance,
    )  # fmt: skip
    document, cases = f"asn:{cmd.supplier}:{cmd.asn_number}", []
    for order in cmd.orders:
        po = ctx.purchase_order(order.po_number)
        if po.supplier != cmd.supplier:
            raise NotFoundError("purchase order", order.po_number)
        quantities = order.quantities()
        po.record_shipment(cmd.asn_number, quantities, ctx.provenance)
        if over := _over_shipped(ctx, po, tuple(q.line_number for q in quantities)):
            reason = f"{cmd.asn_number} on {po.number}: " + "; ".join(over)
            cases.append(ctx.open_case(Category.OVER_SHIPMENT, document, po.supplier, reason))
    ctx.uow.add(asn)
    return Outcome("applied", document, 0, tuple(cases))


def _over_shipped(ctx: Context, po: PurchaseOrder, numbers: tuple[int, ...]) -> tuple[str, ...]:
    """Over the tolerance with every ASN counted; then, only if so (rarely), again without the
    ASNs that were cancelled or replaced since, which need reading."""
    policy = ctx.tolerance(po.supplier)
    if not po.over_shipped(numbers, policy):
        return ()
    withdrawn = [
        asn_number for asn_number in po.shipped_by_asn
        if (found := ctx.uow.find(Shipment, Shipment.create_id(po.supplier, asn_number)))
        is not None and not found.is_active()
    ]  # fmt: skip
    return po.over_shipped(numbers, policy, withdrawn)


def _shipment(ctx: Context, supplier: str, asn_number: str) -> Shipment:
    ctx.check_tenant(supplier, "ASN", asn_number)
    asn_id = Shipment.create_id(supplier, asn_number)
    return ctx.uow.get(Shipment, asn_id, "ASN", f"{supplier}:{asn_number}")


def record_shipment_milestone(ctx: Context, cmd: c.RecordShipmentMilestone) -> Outcome:
    try:
        milestone = Milestone(cmd.milestone)
    except ValueError:
        known = ", ".join(m.value for m in Milestone)
        raise ValidationError("milestone", f"must be one of {known}") from None
    _shipment(ctx, cmd.supplier, cmd.asn_number).record_milestone(
        milestone, cmd.eta, cmd.note, ctx.provenance
    )
    return Outcome("applied", f"asn:{cmd.supplier}:{cmd.asn_number}")


def cancel_ship_notice(ctx: Context, cmd: c.CancelShipNotice) -> Outcome:
    asn = _shipment(ctx, cmd.supplier, cmd.asn_number)
    asn.cancel(cmd.reason, cmd.replaced_by, ctx.provenance)
    return Outcome("applied", f"asn:{cmd.supplier}:{cmd.asn_number}")


def post_goods_receipt(ctx: Context, cmd: c.PostGoodsReceipt) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    ctx.uow.require_absent(
        GoodsReceipt.create_id(cmd.receipt_number), f"goods receipt {cmd.receipt_number}"
    )
    shipped = None
    if cmd.asn_number:
        shipped = _shipment(ctx, po.supplier, cmd.asn_number).quantities_for(po.number)
    open_on_po = {line.line_number: po.open_quantity(line.line_number) for line in cmd.lines}
    variances = find_variances(cmd.lines, shipped, open_on_po)
    receipt = GoodsReceipt.post(
        cmd.receipt_number, po.number, po.supplier, cmd.asn_number, cmd.received_on, cmd.lines,
        variances, ctx.provenance,
    )  # fmt: skip
    po.record_receipt(cmd.receipt_number, receipt.accepted(), ctx.provenance)
    ctx.uow.add(receipt)
    cases: tuple[str, ...] = ()
    if variances:
        reason = "; ".join(
            f"line {v.line_number}: received {v.received}, {v.against} said {v.expected}"
            for v in variances
        )
        document = f"receipt:{cmd.receipt_number}"
        cases = (ctx.open_case(Category.QUANTITY_VARIANCE, document, po.supplier, reason),)
    return Outcome("applied", f"receipt:{cmd.receipt_number}", po.revision, cases)
