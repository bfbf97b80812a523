"""The console's counts: open cases, cases past their due time, orders awaiting the
supplier's answer, blocked invoices, and the open cases of the work lists (late responses,
ASNs missing past their cutoff, receipt variances). Each is one statement in the view
store, so the page never walks pages of cases and orders to count them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.auth import INTERNAL
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep, ServicesDep
from projections.read_models import CaseFilter, PurchaseOrderFilter, ReadModels

router = APIRouter(prefix="/console", tags=["console"], responses=PROBLEMS)

# The work list that is one category of open case (docs/events.md, ExceptionCase). Late
# responses and ASNs missing past cutoff are orders, read on their due times as of now.
RECEIPT_VARIANCES = "quantity_variance"  # received other than shipped or ordered


@dataclass(frozen=True)
class Counts:
    open_cases: int
    overdue_cases: int  # open and past their due time, as of `at`
    needing_action: int  # orders whose current revision awaits the supplier's answer
    blocked_invoices: int  # invoices the three-way match blocked
    late_responses: int  # orders whose current revision is unacknowledged past its SLA
    missing_asns: int  # open orders with a line that has no ASN past its cutoff
    receipt_variances: int  # open `quantity_variance` cases
    at: datetime


@router.get("/counts", summary="The console's counts, each counted in the view store")
async def counts(principal: PrincipalDep, services: ServicesDep) -> Counts:
    principal.require(*INTERNAL)
    return await run_in_threadpool(_counts, services.read_models)


def _counts(read: ReadModels) -> Counts:
    now = datetime.now(UTC)
    return Counts(
        open_cases=read.count_cases(CaseFilter()),
        overdue_cases=read.count_cases(CaseFilter(due_before=now)),
        needing_action=read.count_orders(None, PurchaseOrderFilter(needs_action=True)),
        blocked_invoices=read.blocked_invoices(None),
        late_responses=read.count_orders(None, PurchaseOrderFilter(ack_overdue_at=now)),
        missing_asns=read.count_orders(None, PurchaseOrderFilter(asn_missing_at=now)),
        receipt_variances=read.count_cases(CaseFilter(category=RECEIPT_VARIANCES)),
        at=now,
    )
