"""What an EDI partner's functional acknowledgement (or its silence) about our order opens."""

from __future__ import annotations

from domain import commands as c
from domain.errors import require
from domain.exception_case import Category
from domain.outcome import Outcome
from domain.use_cases.context import Context

_CATEGORIES = {
    "overdue": Category.UNACKNOWLEDGED_ORDER,
    "rejected": Category.ORDER_REJECTED_IN_ACK,
}
_SAID = {
    "overdue": "no functional acknowledgement in time for",
    "rejected": "the partner's functional acknowledgement rejected",
}


def record_functional_ack_problem(ctx: Context, cmd: c.RecordFunctionalAckProblem) -> Outcome:
    require(cmd.problem in _CATEGORIES, "problem", f"must be one of {', '.join(_CATEGORIES)}")
    po = ctx.purchase_order(cmd.po_number)
    document = f"po:{po.number}"
    reason = f"{_SAID[cmd.problem]} {cmd.document}: {cmd.detail}"
    key = ctx.open_case(_CATEGORIES[cmd.problem], document, po.supplier, reason)
    return Outcome("applied", document, po.revision, (key,))
