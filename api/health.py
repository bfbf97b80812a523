"""Liveness, readiness (store reachable, projection lag) and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge
from starlette.concurrency import run_in_threadpool

from api.auth import Role, TokenCache
from api.metrics import Metrics


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    state: str  # starting | running | retrying | stopped | failed
    failures: int  # consecutive transient failures (0 while running)


@dataclass(frozen=True)
class Readiness:
    store_ok: bool
    lag: int  # events in the log not yet in the read models
    detail: str = ""
    workers: tuple[WorkerStatus, ...] = ()  # the workers running in this process


Probe = Callable[[], Readiness]


@dataclass(frozen=True)
class ReadinessAnswer:
    """The body of /readyz, as documented in the OpenAPI."""

    ready: bool
    store: bool
    projection_lag: int
    max_lag: int
    detail: str
    workers: dict[str, str]  # each worker's state: running, retrying, stopped, failed, silent


_READINESS: dict[int | str, dict[str, Any]] = {
    200: {"model": ReadinessAnswer, "description": "Ready"},
    503: {"model": ReadinessAnswer, "description": "Not ready: the store or the lag says why"},
}


def health_router(probe: Probe, metrics: Metrics, max_lag: int, tokens: TokenCache) -> APIRouter:
    router = APIRouter(tags=["operations"])
    retrying = Gauge(
        "supplyhub_worker_retrying", "1 while a worker retries after a transient failure",
        ["worker"], registry=metrics.registry,
    )  # fmt: skip
    failures = Gauge(
        "supplyhub_worker_failures", "A worker's consecutive transient failures",
        ["worker"], registry=metrics.registry,
    )  # fmt: skip

    async def probed() -> Readiness:
        try:
            ready = await run_in_threadpool(probe)
        except Exception as error:  # a probe that cannot reach the store says not ready
            ready = Readiness(store_ok=False, lag=-1, detail=type(error).__name__)
        if ready.store_ok and (refused := metrics.store_faults.recent()):
            ready = Readiness(False, ready.lag, refused, ready.workers)
        metrics.lag.set(ready.lag)
        for worker in ready.workers:
            retrying.labels(worker.name).set(1 if worker.state == "retrying" else 0)
            failures.labels(worker.name).set(worker.failures)
        return ready

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="The store answers and the read models are nearly current",
        responses=_READINESS,
    )
    async def readyz() -> JSONResponse:
        ready = await probed()
        ok = ready.store_ok and 0 <= ready.lag <= max_lag
        body = {"ready": ok, "store": ready.store_ok, "projection_lag": ready.lag,
                "max_lag": max_lag, "detail": ready.detail,
                "workers": {w.name: w.state for w in ready.workers}}  # fmt: skip
        return JSONResponse(body, 200 if ok else 503)

    @router.get("/metrics", summary="Prometheus exposition", include_in_schema=False)
    async def exposition(request: Request) -> Response:
        # Route counts and outcomes describe every tenant's traffic: admins only here; a
        # scraper without a token uses SUPPLYHUB_METRICS_PORT (see `supplyhub serve`).
        tokens.principal(request.headers.get("authorization")).require(Role.ADMIN)
        await probed()  # fresh lag and worker states in every scrape
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
