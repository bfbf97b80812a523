"""What routes depend on, held by the app (never module globals), and the typed dependencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, Role, TokenCache
from api.cache import ResponseCache
from api.dead_letters import DeadLetterDesk, NoDeadLetters
from api.envelope import Clock, Envelope, outcome_json, require_key
from api.metrics import Metrics
from domain.application import SupplyHub
from domain.commands import Command, PostGoodsReceipt, ReleasePurchaseOrder
from domain.errors import DomainError
from domain.outcome import Outcome
from domain.provenance import Channel
from projections.read_models import ReadModels
from projections.runner import ProjectionStatus

# Per projection version: position, log head and lag (what `supplyhub projections status` says).
ProjectionStatuses = Callable[[], Sequence[ProjectionStatus]]


@dataclass(frozen=True)
class Services:
    hub: SupplyHub
    read_models: ReadModels
    tokens: TokenCache
    metrics: Metrics
    clock: Clock
    max_page_size: int
    max_bulk_items: int
    projections: ProjectionStatuses = tuple
    dead_letters: DeadLetterDesk = field(default_factory=NoDeadLetters)
    # Console answers that read every order (the KPI series), per position of the views.
    console_cache: ResponseCache = field(default_factory=lambda: ResponseCache(16))


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_principal(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Principal:
    return services.tokens.principal(request.headers.get("authorization"))


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_envelope(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    correlation_id: Annotated[str | None, Header(alias="X-Correlation-Id")] = None,
) -> Envelope:
    """Connector writes only; the raw body's digest is the payload reference for lineage."""
    principal.require(Role.CONNECTOR)
    raw = await request.body()
    return Envelope.of(principal, Channel.ERP, services.clock, correlation_id, raw)


EnvelopeDep = Annotated[Envelope, Depends(get_envelope)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        description="Unique per message; send the same key again to retry safely.",
        min_length=1,
        max_length=200,
    ),
]


# The commands that create a document: their single routes answer 201, and so do their bulk
# items (everything else, and every replay, answers 200).
CREATES: tuple[type[Command], ...] = (ReleasePurchaseOrder, PostGoodsReceipt)


def answer_status(command: Command, outcome: Outcome) -> int:
    """The HTTP status of an applied command, the same for a single request and a bulk item."""
    return 201 if isinstance(command, CREATES) and not outcome.replayed else 200


async def submit(
    services: Services, envelope: Envelope, key: str, command: Command
) -> JSONResponse:
    """Hand one command to the hub. A replay answers 200 with the first result."""
    provenance = envelope.provenance(require_key(key, "Idempotency-Key"))
    name = type(command).__name__
    try:
        outcome = await run_in_threadpool(services.hub.handle, command, provenance)
    except DomainError as error:
        services.metrics.outcomes.labels(name, error.code).inc()
        raise
    services.metrics.outcomes.labels(name, outcome.status).inc()
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return JSONResponse(outcome_json(outcome), answer_status(command, outcome), headers)


OUTCOME_EXAMPLE: dict[str, Any] = {
    "status": "applied", "document": "po:4500000101", "revision": 1, "exceptions": [],
    "detail": "", "replayed": False,
}  # fmt: skip
