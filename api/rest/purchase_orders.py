"""ERP connectors release, revise and cancel purchase orders; auditors read their history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.auth import INTERNAL, Role
from api.rest import examples
from api.rest.answers import APPLIED, CREATED, History, body
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, IdempotencyKey, PrincipalDep, ServicesDep, submit
from domain import commands as c
from domain import limits
from domain.errors import NotFoundError, ValidationError
from domain.order_line import OrderLine
from projections.as_of import purchase_order_as_of
from projections.document_history import history_json
from projections.read_models import PurchaseOrderView

router = APIRouter(prefix="/purchase-orders", tags=["purchase orders"], responses=PROBLEMS)
_VIEW = TypeAdapter(PurchaseOrderView)


@dataclass(frozen=True)
class Revision:
    revision: limits.Revision
    lines: Annotated[tuple[OrderLine, ...], limits.MAX_LINES]


@dataclass(frozen=True)
class Cancellation:
    reason: limits.Note = ""


limits.forbid_unknown_fields(Revision, Cancellation)


@router.post(
    "", status_code=201, summary="Release a purchase order (revision 1)", responses=CREATED
)
async def release(
    command: Annotated[c.ReleasePurchaseOrder, Body(openapi_examples=examples.RELEASE)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    return await submit(services, envelope, key, command)


@router.post(
    "/{number}/revisions",
    summary="Revise a purchase order: the body names the revision",
    responses=APPLIED,
)
async def revise(
    number: limits.DocumentNumber,
    body: Annotated[Revision, Body(openapi_examples=examples.REVISE)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    command = c.RevisePurchaseOrder(number, body.revision, body.lines)
    return await submit(services, envelope, key, command)


@router.post("/{number}/cancellation", summary="Cancel a purchase order", responses=APPLIED)
async def cancel(
    number: limits.DocumentNumber, body: Cancellation, services: ServicesDep, envelope: EnvelopeDep,
    key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    return await submit(services, envelope, key, c.CancelPurchaseOrder(number, body.reason))


@router.get(
    "/{number}",
    summary="The purchase order as the read models show it",
    responses={200: body(PurchaseOrderView)},
)
async def read(
    number: limits.DocumentNumber, services: ServicesDep, principal: PrincipalDep
) -> JSONResponse:
    principal.require(Role.CONNECTOR, *INTERNAL)
    found = await run_in_threadpool(services.read_models.purchase_order, number, None)
    if found is None:
        raise NotFoundError("purchase order", number)
    return JSONResponse(_VIEW.dump_python(found, mode="json"))


@router.get(
    "/{number}/history",
    summary="Audit history, and the state as of a time or revision",
    responses={200: body(History)},
)
async def history(
    number: limits.DocumentNumber,
    services: ServicesDep,
    principal: PrincipalDep,
    as_of: Annotated[AwareDatetime | None, Query(description="ISO time with offset")] = None,
    revision: Annotated[int | None, Query(ge=1)] = None,
) -> JSONResponse:
    principal.require(Role.AUDITOR, Role.BUYER)
    if as_of is not None and revision is not None:
        raise ValidationError("as_of", "give as_of or revision, not both")
    answer = await run_in_threadpool(_history, services, number, as_of, revision)
    return JSONResponse(answer)


def _history(
    services: ServicesDep, number: str, as_of: AwareDatetime | None, revision: int | None
) -> dict[str, Any]:
    point = purchase_order_as_of(services.hub, number, revision=revision, at=as_of)
    if not point.events:
        raise NotFoundError("purchase order", number)
    if point.revision_missing:
        raise NotFoundError("revision", str(revision))
    return history_json(number, list(point.events), point.state())
