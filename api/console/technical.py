"""The console's technical panels beyond the read side: the backbone's positions, the partner
channels and their parked interchanges (with a replay), the ERP adapter, the API's own latency
and error rates, and the republish of a log range to NATS. Routes only translate: the desk is
the composition root's (`app.state.technical`, supplyhub/technical_desk.py); the API figures
are this app's Prometheus metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pydantic
from fastapi import APIRouter, Path
from pydantic import ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.console import OPERATORS, RELEASERS
from api.console.operations import Release
from api.metrics import Metrics
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep, ServicesDep
from api.technical import (
    BackbonePosition,
    Channels,
    ErpAdapter,
    NoTechnicalDesk,
    Replayed,
    TechnicalDesk,
)

router = APIRouter(prefix="/console", tags=["console"], responses=PROBLEMS)


def desk(request: Request) -> TechnicalDesk:
    found: TechnicalDesk = getattr(request.app.state, "technical", None) or NoTechnicalDesk()
    return found


@router.get("/backbone", summary="The relay's, the gateway's, the ERP's and NATS inbound's places")
async def backbone(request: Request, principal: PrincipalDep) -> list[BackbonePosition]:
    principal.require(*OPERATORS)
    return await run_in_threadpool(desk(request).positions)


@router.get("/channels", summary="Per EDI or cXML partner: traffic, sent, refused, parked")
async def channels(request: Request, principal: PrincipalDep) -> Channels:
    principal.require(*OPERATORS)
    return await run_in_threadpool(desk(request).channels)


@router.get("/erp", summary="The ERP adapter: what `supplyhub erp status --json` shows")
async def erp(request: Request, principal: PrincipalDep) -> ErpAdapter:
    principal.require(*OPERATORS)
    return await run_in_threadpool(desk(request).erp)


@router.post(
    "/parked/{ref}/replay",
    summary="Run a parked interchange through its inbound path again (idempotent)",
)
async def replay_parked(
    ref: Annotated[str, Path(max_length=100)],
    body: Release,
    request: Request,
    principal: PrincipalDep,
) -> Replayed:
    principal.require(*RELEASERS)
    found = desk(request)
    return await run_in_threadpool(
        lambda: found.replay_parked(ref, actor=principal.subject, reason=body.reason)
    )


class Republish(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Annotated[int, pydantic.Field(alias="from", ge=1)]
    stop: Annotated[int | None, pydantic.Field(alias="to", ge=1)] = None
    reason: Annotated[str, pydantic.Field(min_length=1, max_length=500)]


@router.post("/replay", summary="Republish a range of the event log to NATS (`supplyhub replay`)")
async def republish(body: Republish, request: Request, principal: PrincipalDep) -> Replayed:
    principal.require(*RELEASERS)
    found = desk(request)
    return await run_in_threadpool(
        lambda: found.republish(body.start, body.stop, actor=principal.subject, reason=body.reason)
    )


@dataclass(frozen=True)
class RouteHealth:
    route: str
    requests: int
    client_errors: int  # 4xx
    server_errors: int  # 5xx
    p50_ms: float  # the upper bound of the latency bucket holding the median
    p99_ms: float


@router.get("/api-health", summary="This app's latency (p50, p99) and 4xx/5xx per route")
async def api_health(principal: PrincipalDep, services: ServicesDep) -> list[RouteHealth]:
    principal.require(*OPERATORS)
    return route_health(services.metrics)


def route_health(metrics: Metrics) -> list[RouteHealth]:
    """Per route, from the request counter and the latency histogram since the app started."""
    counts: dict[str, list[int]] = {}
    for family in metrics.requests.collect():
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            seen = counts.setdefault(sample.labels["route"], [0, 0, 0])
            status = sample.labels["status"]
            seen[0] += int(sample.value)
            seen[1] += int(sample.value) if status.startswith("4") else 0
            seen[2] += int(sample.value) if status.startswith("5") else 0
    buckets: dict[str, list[tuple[float, float]]] = {}
    for family in metrics.latency.collect():
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                bound = float(sample.labels["le"])
                buckets.setdefault(sample.labels["route"], []).append((bound, sample.value))
    found = []
    for route, (total, client, server) in sorted(counts.items()):
        cumulative = buckets.get(route, [])
        p50, p99 = _quantile(cumulative, 0.5), _quantile(cumulative, 0.99)
        found.append(RouteHealth(route, total, client, server, p50, p99))
    return found


def _quantile(cumulative: list[tuple[float, float]], q: float) -> float:
    """The upper bound (ms) of the first bucket holding the q-quantile; -1 past the last."""
    ordered = sorted(cumulative)
    if not ordered or ordered[-1][1] == 0:
        return 0.0
    wanted = q * ordered[-1][1]
    bound = next(b for b, count in ordered if count >= wanted)
    return -1.0 if bound == float("inf") else round(bound * 1000, 1)
