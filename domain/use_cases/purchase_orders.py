"""Purchase orders: the ERP's releases and revisions, the supplier's answers."""

from __future__ import annotations

from dataclasses import replace

from domain import commands as c
from domain.acknowledgement import AckStatus, LineResponse
from domain.change_proposal import ChangeProposal
from domain.errors import ValidationError
from domain.exception_case import Category
from domain.master_data import CANONICAL_UNITS, canonical_currency, canonical_unit
from domain.order_line import OrderLine
from domain.outcome import Outcome
from domain.purchase_order import PurchaseOrder
from domain.tolerance import TolerancePolicy
from domain.use_cases.context import Context


def _canonical_lines(lines: tuple[OrderLine, ...]) -> tuple[OrderLine, ...]:
    if all(line.uom in CANONICAL_UNITS for line in lines):  # the usual case, and cheap
        return lines
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
    responses = tuple(_response(i, answer) for i, answer in enumerate(cmd.lines))
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


def _response(index: int, answer: c.LineAnswer) -> LineResponse:
    if type(answer.status) is not AckStatus:  # every edge translates its channel's code first
        known = ", ".join(AckStatus)
        raise ValidationError(f"lines[{index}].status", f"must be a canonical status ({known})")
    return LineResponse(
        answer.line_number, answer.status, answer.source_code, answer.confirmed_quantity,
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
