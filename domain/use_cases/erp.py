"""What the ERP's own answers to the hub's write-backs open."""

from __future__ import annotations

from domain import commands as c
from domain.exception_case import Category
from domain.outcome import Outcome
from domain.use_cases.context import Context


def record_erp_refusal(ctx: Context, cmd: c.RecordErpRefusal) -> Outcome:
    po = ctx.purchase_order(cmd.po_number)
    document = f"po:{po.number}"
    reason = f"the ERP refused {cmd.action}: {cmd.message}"
    key = ctx.open_case(Category.ERP_REFUSED, document, po.supplier, reason)
    return Outcome("applied", document, po.revision, (key,))
