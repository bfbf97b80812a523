"""Supplier invoices: submission, three-way match, AP and ERP states."""

from __future__ import annotations

from domain import commands as c
from domain.errors import NotFoundError
from domain.exception_case import Category
from domain.invoice import Invoice, three_way_match
from domain.master_data import canonical_currency
from domain.outcome import Outcome
from domain.use_cases.context import Context


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
