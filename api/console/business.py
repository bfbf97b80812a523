"""The console's business work lists beyond the exception queue: the invoices the three-way
match blocked, each with its reasons and its order, paged by cursor (`GET
/console/blocked-invoices`). The queue itself, the counts and the revisions awaiting the
supplier's answer are the GraphQL API's and `counts.py`'s."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.auth import INTERNAL
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep, Services, ServicesDep
from domain.errors import ValidationError
from projections.queries import invoice_place
from projections.read_models import InvoiceView

router = APIRouter(prefix="/console", tags=["console"], responses=PROBLEMS)

_PARAMETERS = ("first", "after", "supplier")


@dataclass(frozen=True)
class BlockedInvoice:
    invoice_number: str
    supplier: str
    po_number: str  # its trace: /console/trace/{po_number}
    currency: str
    invoice_date: date
    total: Decimal
    status: str  # as the supplier sees it: in_review, disputed...
    reasons: list[str]  # why the match blocked it, as the match said it


@dataclass(frozen=True)
class BlockedInvoicePage:
    items: list[BlockedInvoice]
    total_count: int  # every blocked invoice of the scope, not only this page's
    end_cursor: str | None  # pass as `after` for the next page; null at the end
    has_next_page: bool


@router.get(
    "/blocked-invoices",
    summary="The invoices the three-way match blocked, with their reasons, paged by cursor",
)
async def blocked_invoices(
    request: Request,
    principal: PrincipalDep,
    services: ServicesDep,
    first: Annotated[int, Query()] = 50,
    after: Annotated[str | None, Query()] = None,
    supplier: Annotated[str | None, Query()] = None,
) -> BlockedInvoicePage:
    principal.require(*INTERNAL)
    if unknown := sorted(set(request.query_params) - set(_PARAMETERS)):
        raise ValidationError(unknown[0], "unknown query parameter; this route takes " +
                              ", ".join(_PARAMETERS))  # fmt: skip
    if not 1 <= first <= services.max_page_size:
        raise ValidationError("first", f"must be between 1 and {services.max_page_size}")
    mark = None if after is None else _unplace(after)
    return await run_in_threadpool(_page, services, supplier or None, first, mark)


def _page(
    services: Services, supplier: str | None, first: int, mark: tuple[str, str] | None
) -> BlockedInvoicePage:
    read = services.read_models
    found = read.blocked_invoice_page(supplier, first + 1, mark)
    page = found[:first]
    more = len(found) > first
    return BlockedInvoicePage(
        items=[_blocked(invoice) for invoice in page],
        total_count=read.blocked_invoices(supplier),
        end_cursor=_cursor(invoice_place(page[-1])) if page and more else None,
        has_next_page=more,
    )


def _blocked(invoice: InvoiceView) -> BlockedInvoice:
    return BlockedInvoice(
        invoice.invoice_number, invoice.supplier, invoice.po_number, invoice.currency,
        invoice.invoice_date, invoice.total, invoice.status, list(invoice.block_reasons),
    )  # fmt: skip


def _cursor(place: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(place).encode()).decode()


def _unplace(cursor: str) -> tuple[str, str]:
    try:  # strict: garbage is refused, never answered with a first page
        place = json.loads(base64.b64decode(cursor, altchars=b"-_", validate=True))
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError
        place = None
    if not (isinstance(place, list) and len(place) == 2 and all(isinstance(p, str) for p in place)):
        raise ValidationError("after", "is not a cursor this route gave out: pass end_cursor")
    return (place[0], place[1])
