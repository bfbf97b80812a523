"""Alert routing: the rules (each change an `AlertRule` event with who and why: an admin's),
and the alerts the worker sent or failed to send (read by the console's operators). Routes
only translate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.alerts import AlertDesk, AlertRuleView, AlertView, NoAlerts
from api.auth import Principal, Role
from api.console import OPERATORS
from api.envelope import Envelope
from api.rest.answers import APPLIED
from api.rest.problems import PROBLEMS
from api.services import IdempotencyKey, PrincipalDep, Services, ServicesDep, submit
from domain import commands as c
from domain import limits
from domain.errors import ValidationError
from domain.limits import Code, Description, Hours, PartyId
from domain.provenance import Channel

router = APIRouter(prefix="/alerts", tags=["alerts"], responses=PROBLEMS)
CorrelationId = Annotated[str | None, Header(alias="X-Correlation-Id")]


@dataclass(frozen=True)
class AlertRuleTerms:
    trigger: Code  # opened | open_longer | sla_breached
    destination: Code  # webhook | email
    target: Description  # the URL, or e-mail addresses separated by commas
    open_hours: Hours = 0
    category: Code = ""
    supplier: PartyId = ""
    plant: PartyId = ""
    reason: Description = ""  # why (recorded with who)


@dataclass(frozen=True)
class RuleChange:
    reason: Description = ""  # why (recorded with who)


limits.forbid_unknown_fields(AlertRuleTerms, RuleChange)


def _only(request: Request, *names: str) -> None:
    """Refuse an unknown query parameter, as unknown fields are."""
    if unknown := sorted(set(request.query_params) - set(names)):
        takes = f"takes {', '.join(names)}" if names else "takes none"
        raise ValidationError(unknown[0], f"unknown query parameter; this route {takes}")


def _desk(request: Request) -> AlertDesk:
    desk: AlertDesk | None = getattr(request.app.state, "alerts", None)
    return desk or NoAlerts()


async def _as_admin(
    request: Request, services: Services, principal: Principal, correlation: str | None
) -> Envelope:
    principal.require(Role.ADMIN)
    _only(request)
    raw = await request.body()
    return Envelope.of(principal, Channel.SYSTEM, services.clock, correlation, raw)


@router.get("", summary="The latest alerts sent or failed, newest first")
async def alerts(
    request: Request,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertView]:
    principal.require(*OPERATORS)
    _only(request, "limit")
    return await run_in_threadpool(_desk(request).alerts, limit)


@router.get("/rules", summary="The alert rules in force")
async def rules(request: Request, principal: PrincipalDep) -> list[AlertRuleView]:
    principal.require(*OPERATORS)
    _only(request)
    return await run_in_threadpool(_desk(request).rules)


@router.put(
    "/rules/{name}", summary="Define an alert rule (or new terms for it)", responses=APPLIED
)
async def define(
    name: Code, body: AlertRuleTerms, request: Request, services: ServicesDep,
    principal: PrincipalDep, key: IdempotencyKey, correlation: CorrelationId = None,
) -> JSONResponse:  # fmt: skip
    envelope = await _as_admin(request, services, principal, correlation)
    command = c.DefineAlertRule(name, **vars(body))
    return await submit(services, envelope, key, command)


@router.delete("/rules/{name}", summary="Remove an alert rule", responses=APPLIED)
async def remove(
    name: Code, request: Request, services: ServicesDep, principal: PrincipalDep,
    key: IdempotencyKey, correlation: CorrelationId = None, body: RuleChange | None = None,
) -> JSONResponse:  # fmt: skip
    envelope = await _as_admin(request, services, principal, correlation)
    why = body.reason if body else ""
    return await submit(services, envelope, key, c.RemoveAlertRule(name, why))


@router.post(
    "/rules/{name}/disable", summary="Disable an alert rule (kept, sends nothing)",
    responses=APPLIED,
)  # fmt: skip
async def disable(
    name: Code, body: RuleChange, request: Request, services: ServicesDep,
    principal: PrincipalDep, key: IdempotencyKey, correlation: CorrelationId = None,
) -> JSONResponse:  # fmt: skip
    envelope = await _as_admin(request, services, principal, correlation)
    return await submit(services, envelope, key, c.DisableAlertRule(name, body.reason))


@router.post("/rules/{name}/enable", summary="Enable a disabled alert rule", responses=APPLIED)
async def enable(
    name: Code, body: RuleChange, request: Request, services: ServicesDep,
    principal: PrincipalDep, key: IdempotencyKey, correlation: CorrelationId = None,
) -> JSONResponse:  # fmt: skip
    envelope = await _as_admin(request, services, principal, correlation)
    return await submit(services, envelope, key, c.EnableAlertRule(name, body.reason))
