"""The ERP reports its invoice match and payment states: it is the system of record for AP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.rest import examples
from api.rest.answers import APPLIED
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, IdempotencyKey, ServicesDep, submit
from domain import commands as c
from domain import limits
from domain.limits import Code, Day, DocumentNumber, Note, PartyId

router = APIRouter(prefix="/invoices", tags=["invoices"], responses=PROBLEMS)


@dataclass(frozen=True)
class ErpStatus:
    status: Code  # matched | blocked | approved | paid
    reason: Note = ""


@dataclass(frozen=True)
class Payment:
    payment_reference: DocumentNumber
    paid_on: Day


limits.forbid_unknown_fields(ErpStatus, Payment)


@router.post(
    "/{supplier}/{invoice_number}/erp-status",
    summary="Report the ERP's invoice state",
    responses=APPLIED,
)
async def report_status(
    supplier: PartyId, invoice_number: DocumentNumber,
    body: Annotated[ErpStatus, Body(openapi_examples=examples.ERP_STATUS)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    command = c.ReportErpInvoiceStatus(supplier, invoice_number, body.status, body.reason)
    return await submit(services, envelope, key, command)


@router.post(
    "/{supplier}/{invoice_number}/payment",
    summary="Report an invoice paid",
    responses=APPLIED,
)
async def pay(
    supplier: PartyId, invoice_number: DocumentNumber,
    body: Annotated[Payment, Body(openapi_examples=examples.PAYMENT)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    command = c.PayInvoice(supplier, invoice_number, body.payment_reference, body.paid_on)
    return await submit(services, envelope, key, command)
