"""Quality holds and exception cases."""

from __future__ import annotations

from domain import commands as c
from domain.errors import ForbiddenError
from domain.exception_case import Category, ExceptionCase
from domain.goods_receipt import GoodsReceipt
from domain.outcome import Outcome
from domain.quality_event import QualityEvent
from domain.use_cases.context import Context


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


def comment_on_exception(ctx: Context, cmd: c.CommentOnException) -> Outcome:
    if ctx.provenance.tenant:  # comments are the manufacturer's: any case, the same answer
        raise ForbiddenError("a supplier may not comment on exception cases")
    _case(ctx, cmd.key).comment(cmd.text, ctx.provenance)
    return Outcome("applied", f"exception:{cmd.key}")
