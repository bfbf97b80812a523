"""Liveness, readiness (store reachable, projection lag, ERP lag) and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
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
class ErpLag:
    """How far one ERP adapter trails (its worker's record in the store): shown, never a
    reason to refuse traffic (an ERP away for an hour is expected; nothing is lost)."""

    name: str  # e.g. tryton:production
    pending_writebacks: int  # supplier answers not written back yet (counted up to a cap)
    seconds_since_success: float | None  # since the last completed round; None: never
    last_success: float | None  # Unix time
    last_error_at: float | None  # Unix time
    last_error: str = ""


@dataclass(frozen=True)
class Readiness:
    store_ok: bool
    lag: int  # events in the log not yet in the read models
    detail: str = ""
    workers: tuple[WorkerStatus, ...] = ()  # the workers running in this process
    erp: tuple[ErpLag, ...] = ()  # each configured ERP adapter's lag


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
    erp: dict[str, dict[str, Any]]  # per ERP: pending_writebacks, seconds_since_success, ...


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
    erp_gauges = {
        "pending_writebacks": Gauge(
            "supplyhub_erp_pending_writebacks", "Supplier answers not yet written to the ERP",
            ["erp"], registry=metrics.registry,
        ),
        "last_success": Gauge(
            "supplyhub_erp_last_success_timestamp_seconds",
            "When the ERP adapter last completed a round (pull and write-backs)",
            ["erp"], registry=metrics.registry,
        ),
        "last_error_at": Gauge(
            "supplyhub_erp_last_error_timestamp_seconds",
            "When the ERP adapter last failed or reported a record it could not take",
            ["erp"], registry=metrics.registry,
        ),
    }  # fmt: skip

    async def probed() -> Readiness:
        try:
            ready = await run_in_threadpool(probe)
        except Exception as error:  # a probe that cannot reach the store says not ready
            ready = Readiness(store_ok=False, lag=-1, detail=type(error).__name__)
        if ready.store_ok and (refused := metrics.store_faults.recent()):
            ready = replace(ready, store_ok=False, detail=refused)
        metrics.lag.set(ready.lag)
        for worker in ready.workers:
            retrying.labels(worker.name).set(1 if worker.state == "retrying" else 0)
            failures.labels(worker.name).set(worker.failures)
        for erp in ready.erp:
            for field, gauge in erp_gauges.items():
                value = getattr(erp, field)
                gauge.labels(erp.name).set(float("nan") if value is None else value)
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
                "workers": {w.name: w.state for w in ready.workers},
                "erp": {e.name: _erp_body(e) for e in ready.erp}}  # fmt: skip
        return JSONResponse(body, 200 if ok else 503)

    @router.get("/metrics", summary="Prometheus exposition", include_in_schema=False)
    async def exposition(request: Request) -> Response:
        # Route counts and outcomes describe every tenant's traffic: admins only here; a
        # scraper without a token uses SUPPLYHUB_METRICS_PORT (see `supplyhub serve`).
        tokens.principal(request.headers.get("authorization")).require(Role.ADMIN)
        await probed()  # fresh lag and worker states in every scrape
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


def _erp_body(lag: ErpLag) -> dict[str, Any]:
    return {
        "pending_writebacks": lag.pending_writebacks,
        "seconds_since_success": lag.seconds_since_success,
        "last_error": lag.last_error,
    }
