"""The console's counts: open cases, cases past their due time, orders awaiting the
supplier's answer, blocked invoices. Each is one statement in the view store, so the page
no longer walks every page of cases and orders to count them."""

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


@dataclass(frozen=True)
class Counts:
    open_cases: int
    overdue_cases: int  # open and past their due time, as of `at`
    needing_action: int  # orders whose current revision awaits the supplier's answer
    blocked_invoices: int  # invoices the three-way match blocked
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
        at=now,
    )
