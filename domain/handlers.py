"""One function per use case: load what the command needs, let the aggregates decide, and
return the outcome. The application service saves what changed, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from domain import commands as c
from domain.acknowledgement import AckStatus, LineResponse, normalise
from domain.change_proposal import ChangeProposal
from domain.errors import NotFoundError, ValidationError
from domain.exception_case import Category, ExceptionCase
from domain.goods_receipt import GoodsReceipt, find_variances
from domain.invoice import Invoice, three_way_match
from domain.master_data import canonical_currency, canonical_unit
from domain.order_line import OrderLine
from domain.outcome import Outcome
from domain.provenance import Provenance
from domain.purchase_order import PurchaseOrder
from domain.quality_event import QualityEvent
from domain.shipment import Milestone, Shipment
from domain.supplier import Supplier
from domain.tolerance import TolerancePolicy
from domain.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Context:
    uow: UnitOfWork
    provenance: Provenance
    default_tolerance: TolerancePolicy

    def supplier(self, code: str) -> Supplier:
        found = self.uow.find(Supplier, Supplier.create_id(code))
        if found is None:
            raise ValidationError("supplier", f"unknown supplier {code!r}: upsert it first")
        return found

    def purchase_order(self, number: str) -> PurchaseOrder:
        po = self.uow.get(PurchaseOrder, PurchaseOrder.create_id(number), "purchase order", number)
        self.check_tenant(po.supplier, "purchase order", number)
        return po

    def check_tenant(self, supplier: str, kind: str, key: str) -> None:
        """A supplier's actor sees only its own documents: others do not exist for it."""
        if self.provenance.tenant and self.provenance.tenant != supplier:
            raise NotFoundError(kind, key)

    def tolerance(self, supplier: str) -> TolerancePolicy:
        return self.supplier(supplier).tolerance_or(self.default_tolerance)

    def open_case(self, category: Category, document: str, supplier: str, reason: str) -> str:
        case = ExceptionCase.open(category, document, supplier, reason, self.provenance)
        self.uow.add(case)
        return case.key


def upsert_supplier(ctx: Context, cmd: c.UpsertSupplier) -> Outcome:
    existing = ctx.uow.find(Supplier, Supplier.create_id(cmd.supplier))
    document = f"supplier:{cmd.supplier}"
    args = (cmd.name, cmd.erp_id, cmd.channel_ids, cmd.status, ctx.provenance)
    if existing is None:
        ctx.uow.add(Supplier.register(cmd.supplier, *args))
        return Outcome("applied", document)
    return Outcome("applied" if existing.update(*args) else "unchanged", document)


def set_tolerance_policy(ctx: Context, cmd: c.SetTolerancePolicy) -> Outcome:
    policy = TolerancePolicy(cmd.quantity_pct, cmd.days_early, cmd.days_late, cmd.price_pct)
    ctx.supplier(cmd.supplier).set_tolerance(policy, ctx.provenance)
    return Outcome("applied", f"supplier:{cmd.supplier}")


def _canonical_lines(lines: tuple[OrderLine, ...]) -> tuple[OrderLine, ...]:
    return tuple(_canonical_line(i, line) for i, line in enumerate(lines))


def _canonical_line(index: int, line: OrderLine) -> OrderLine:
    unit = canonical_unit(line.uom, f"lines[{index}].uom")
    return line if unit == line.uom else replace(line, uom=unit)


def release_purchase_order(ctx: Context, cmd: c.ReleasePurchaseOrder) -> Outcome:
    ctx.supplier(cmd.supplier)
    ctx.uow.require_absent(
        PurchaseOrder.create_id(cmd.po_number), f"purchase order {cmd.po_number}"
    )
    currency = canonical_currency(cmd.currency)
    po = PurchaseOrder.release(
        cmd.po_number, cmd.supplier, currency, _canonical_lines(cmd.lines), ctx.provenance
    )
    ctx.uow.add(po)
    return Outcome("applied", f"po:{po.number}", po.revision)


def revise_purchase_order(ctx: Context, cmd: c.RevisePurchaseOrder) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    po.revise(cmd.revision, _canonical_lines(cmd.lines), ctx.provenance)
    return Outcome("applied", f"po:{po.number}", po.revision)


def cancel_purchase_order(ctx: Context, cmd: c.CancelPurchaseOrder) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    po.cancel(cmd.reason, ctx.provenance)
    return Outcome("applied", f"po:{po.number}", po.revision)


def close_purchase_order(ctx: Context, cmd: c.ClosePurchaseOrder) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    po.close(ctx.provenance)
    return Outcome("applied", f"po:{po.number}", po.revision)


def _stale(ctx: Context, po: PurchaseOrder, kind: str, revision: int) -> Outcome:
    po.record_stale_response(kind, revision, ctx.provenance)
    reason = f"{kind} answers revision {revision}; the current revision is {po.revision}"
    key = ctx.open_case(Category.STALE_REVISION, f"po:{po.number}", po.supplier, reason)
    return Outcome("stale", f"po:{po.number}", po.revision, (key,), reason)


def acknowledge_purchase_order(ctx: Context, cmd: c.AcknowledgePurchaseOrder) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    if po.is_stale(cmd.revision):
        return _stale(ctx, po, "acknowledgement", cmd.revision)
    responses = tuple(_response(ctx, i, answer) for i, answer in enumerate(cmd.lines))
    po.acknowledge(cmd.revision, responses, ctx.provenance)
    document, cases = f"po:{po.number}", []
    rejected = [r.line_number for r in responses if r.status is AckStatus.REJECTED]
    if rejected:
        reason = f"supplier rejected lines {rejected}"
        cases.append(ctx.open_case(Category.LINE_REJECTED, document, po.supplier, reason))
    confirmed = [r for r in responses if _confirms_something(r)]
    policy = ctx.tolerance(po.supplier) if confirmed else ctx.default_tolerance
    breaches = [b for r in confirmed for b in _ack_breaches(po, r, policy)]
    if breaches:
        reason = "; ".join(breaches)
        cases.append(ctx.open_case(Category.TOLERANCE_BREACH, document, po.supplier, reason))
    return Outcome("applied", document, po.revision, tuple(cases))


def _response(ctx: Context, index: int, answer: c.LineAnswer) -> LineResponse:
    try:
        status = normalise(ctx.provenance.channel, answer.code)
    except ValidationError as error:
        raise ValidationError(f"lines[{index}].code", error.rule) from None
    return LineResponse(
        answer.line_number, status, answer.code, answer.confirmed_quantity,
        answer.confirmed_date, answer.confirmed_price, answer.note,
    )  # fmt: skip


def _confirms_something(response: LineResponse) -> bool:
    values = (response.confirmed_quantity, response.confirmed_date, response.confirmed_price)
    return any(value is not None for value in values)


def _ack_breaches(po: PurchaseOrder, response: LineResponse, policy: TolerancePolicy) -> list[str]:
    line = po.lines[response.line_number]
    found = []
    if response.confirmed_quantity is not None:
        found.append(policy.quantity_breach(line.quantity, response.confirmed_quantity))
    if response.confirmed_date is not None:
        found.append(policy.date_breach(line.need_by, response.confirmed_date))
    if response.confirmed_price is not None:
        found.append(policy.price_breach(line.unit_price, response.confirmed_price))
    return [f"line {line.line_number}: {b}" for b in found if b]


def propose_change(ctx: Context, cmd: c.ProposeChange) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    if po.is_stale(cmd.revision):
        return _stale(ctx, po, "change proposal", cmd.revision)
    proposal = ChangeProposal(
        cmd.proposal_id, cmd.revision, cmd.line_number, cmd.quantity, cmd.need_by, cmd.splits,
        cmd.reason,
    )  # fmt: skip
    breaches = po.propose_change(proposal, ctx.tolerance(po.supplier), ctx.provenance)
    if not breaches:
        return Outcome("applied", f"po:{po.number}", po.revision)
    reason = f"proposal {cmd.proposal_id} on line {cmd.line_number}: " + "; ".join(breaches)
    key = ctx.open_case(Category.TOLERANCE_BREACH, f"po:{po.number}", po.supplier, reason)
    return Outcome("escalated", f"po:{po.number}", po.revision, (key,), reason)


def approve_change(ctx: Context, cmd: c.ApproveChange) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    po.approve_change(cmd.proposal_id, ctx.provenance)
    return Outcome("applied", f"po:{po.number}", po.revision)


def reject_change(ctx: Context, cmd: c.RejectChange) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    po.reject_change(cmd.proposal_id, cmd.reason, ctx.provenance)
    return Outcome("applied", f"po:{po.number}", po.revision)


def submit_ship_notice(ctx: Context, cmd: c.SubmitShipNotice) -> Outcome:
    ctx.check_tenant(cmd.supplier, "supplier", cmd.supplier)
    ctx.supplier(cmd.supplier)
    asn_id = Shipment.create_id(cmd.supplier, cmd.asn_number)
    ctx.uow.require_absent(asn_id, f"ASN {cmd.asn_number}")
    asn = Shipment.submit(
        cmd.asn_number, cmd.supplier, cmd.ship_date, cmd.expected_delivery, cmd.carrier,
        cmd.tracking_number, cmd.orders, ctx.provenance,
    )  # fmt: skip
    for order in cmd.orders:
        po = ctx.purchase_order(order.po_number)
        if po.supplier != cmd.supplier:
            raise NotFoundError("purchase order", order.po_number)
        po.record_shipment(cmd.asn_number, order.quantities(), ctx.provenance)
    ctx.uow.add(asn)
    return Outcome("applied", f"asn:{cmd.supplier}:{cmd.asn_number}")


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


def submit_invoice(ctx: Context, cmd: c.SubmitInvoice) -> Outcome:
    ctx.check_tenant(cmd.supplier, "supplier", cmd.supplier)
    document = f"invoice:{cmd.supplier}:{cmd.invoice_number}"
    existing = ctx.uow.find(Invoice, Invoice.create_id(cmd.supplier, cmd.invoice_number))
    if existing is not None:
        existing.record_duplicate(ctx.provenance)
        reason = f"invoice {cmd.invoice_number} was already submitted by {existing.message_id}"
        key = ctx.open_case(Category.DUPLICATE_INVOICE, document, cmd.supplier, reason)
        return Outcome("duplicate", document, 0, (key,), reason)
    po = ctx.purchase_order(cmd.po_number)
    if po.supplier != cmd.supplier:
        raise NotFoundError("purchase order", cmd.po_number)
    currency = canonical_currency(cmd.currency)
    invoice = Invoice.submit(
        cmd.invoice_number, cmd.supplier, po.number, currency, cmd.invoice_date, cmd.lines,
        ctx.provenance,
    )  # fmt: skip
    findings = three_way_match(currency, cmd.lines, po, ctx.tolerance(po.supplier))
    invoice.match(findings, ctx.provenance)
    po.record_invoice(cmd.invoice_number, invoice.quantities(), ctx.provenance)
    ctx.uow.add(invoice)
    if not findings:
        return Outcome("matched", document)
    reason = "; ".join(f"line {f.line_number} {f.rule}: {f.detail}" for f in findings)
    price = any(f.rule in ("price", "currency") for f in findings)
    category = Category.PRICE_MISMATCH if price else Category.QUANTITY_VARIANCE
    key = ctx.open_case(category, document, cmd.supplier, reason)
    return Outcome("blocked", document, 0, (key,), reason)


def _invoice(ctx: Context, supplier: str, number: str) -> Invoice:
    ctx.check_tenant(supplier, "invoice", number)
    invoice_id = Invoice.create_id(supplier, number)
    return ctx.uow.get(Invoice, invoice_id, "invoice", f"{supplier}:{number}")


def approve_invoice(ctx: Context, cmd: c.ApproveInvoice) -> Outcome:
    _invoice(ctx, cmd.supplier, cmd.invoice_number).approve(ctx.provenance)
    return Outcome("applied", f"invoice:{cmd.supplier}:{cmd.invoice_number}")


def pay_invoice(ctx: Context, cmd: c.PayInvoice) -> Outcome:
    invoice = _invoice(ctx, cmd.supplier, cmd.invoice_number)
    invoice.pay(cmd.payment_reference, cmd.paid_on, ctx.provenance)
    return Outcome("applied", f"invoice:{cmd.supplier}:{cmd.invoice_number}")


def dispute_invoice(ctx: Context, cmd: c.DisputeInvoice) -> Outcome:
    _invoice(ctx, cmd.supplier, cmd.invoice_number).dispute(cmd.reason, ctx.provenance)
    return Outcome("applied", f"invoice:{cmd.supplier}:{cmd.invoice_number}")


def report_erp_invoice_status(ctx: Context, cmd: c.ReportErpInvoiceStatus) -> Outcome:
    invoice = _invoice(ctx, cmd.supplier, cmd.invoice_number)
    invoice.report_erp_status(cmd.status, cmd.reason, ctx.provenance)
    return Outcome("applied", f"invoice:{cmd.supplier}:{cmd.invoice_number}")


def place_quality_hold(ctx: Context, cmd: c.PlaceQualityHold) -> Outcome:
    receipt_id = GoodsReceipt.create_id(cmd.receipt_number)
    receipt = ctx.uow.get(GoodsReceipt, receipt_id, "goods receipt", cmd.receipt_number)
    ctx.uow.require_absent(QualityEvent.create_id(cmd.hold_id), f"quality hold {cmd.hold_id}")
    hold = QualityEvent.place_hold(
        cmd.hold_id, receipt.receipt_number, receipt.po_number, receipt.supplier, cmd.lot,
        cmd.reason, cmd.certificate_ref, ctx.provenance,
    )  # fmt: skip
    ctx.uow.add(hold)
    document = f"quality:{cmd.hold_id}"
    key = ctx.open_case(Category.QUALITY_HOLD, document, receipt.supplier, cmd.reason)
    return Outcome("applied", document, 0, (key,))


def _hold(ctx: Context, hold_id: str) -> QualityEvent:
    return ctx.uow.get(QualityEvent, QualityEvent.create_id(hold_id), "quality hold", hold_id)


def request_corrective_action(ctx: Context, cmd: c.RequestCorrectiveAction) -> Outcome:
    _hold(ctx, cmd.hold_id).request_corrective_action(cmd.description, ctx.provenance)
    return Outcome("applied", f"quality:{cmd.hold_id}")


def release_quality_hold(ctx: Context, cmd: c.ReleaseQualityHold) -> Outcome:
    _hold(ctx, cmd.hold_id).release(cmd.note, ctx.provenance)
    return Outcome("applied", f"quality:{cmd.hold_id}")


def _case(ctx: Context, key: str) -> ExceptionCase:
    return ctx.uow.get(ExceptionCase, ExceptionCase.create_id(key), "exception case", key)


def assign_exception(ctx: Context, cmd: c.AssignException) -> Outcome:
    _case(ctx, cmd.key).assign(cmd.owner, ctx.provenance)
    return Outcome("applied", f"exception:{cmd.key}")


def resolve_exception(ctx: Context, cmd: c.ResolveException) -> Outcome:
    _case(ctx, cmd.key).resolve(cmd.resolution, ctx.provenance)
    return Outcome("applied", f"exception:{cmd.key}")


Handler = Callable[[Context, Any], Outcome]

HANDLERS: dict[type[c.Command], Handler] = {
    c.UpsertSupplier: upsert_supplier,
    c.SetTolerancePolicy: set_tolerance_policy,
    c.ReleasePurchaseOrder: release_purchase_order,
    c.RevisePurchaseOrder: revise_purchase_order,
    c.CancelPurchaseOrder: cancel_purchase_order,
    c.ClosePurchaseOrder: close_purchase_order,
    c.AcknowledgePurchaseOrder: acknowledge_purchase_order,
    c.ProposeChange: propose_change,
    c.ApproveChange: approve_change,
    c.RejectChange: reject_change,
    c.SubmitShipNotice: submit_ship_notice,
    c.RecordShipmentMilestone: record_shipment_milestone,
    c.CancelShipNotice: cancel_ship_notice,
    c.PostGoodsReceipt: post_goods_receipt,
    c.SubmitInvoice: submit_invoice,
    c.ApproveInvoice: approve_invoice,
    c.PayInvoice: pay_invoice,
    c.DisputeInvoice: dispute_invoice,
    c.ReportErpInvoiceStatus: report_erp_invoice_status,
    c.PlaceQualityHold: place_quality_hold,
    c.RequestCorrectiveAction: request_corrective_action,
    c.ReleaseQualityHold: release_quality_hold,
    c.AssignException: assign_exception,
    c.ResolveException: resolve_exception,
}
