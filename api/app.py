"""The app factory: the API's settings and every live dependency come in as arguments;
nothing is global."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api import errors
from api.auth import KnownSuppliers, TokenCache
from api.cache import Position, ResponseCache
from api.console import console_routes
from api.console import router as console_router
from api.console.business import router as business_router
from api.console.counts import router as counts_router
from api.console.operations import router as operations_router
from api.console.technical import router as technical_router
from api.dead_letters import DeadLetterDesk, NoDeadLetters
from api.envelope import Clock
from api.graphql.endpoint import GraphQLEndpoint
from api.graphql.live import LiveFeed, Notifications
from api.graphql.schema import build_schema
from api.graphql.socket import GraphQLSocket
from api.health import Probe, health_router
from api.metrics import Metrics, body_limit
from api.pages import page_routes
from api.portal_views import PortalViews
from api.rest import (
    alerts,
    as2,
    bulk,
    cxml,
    edi,
    invoices,
    partners,
    purchase_orders,
    receipts,
    suppliers,
)
from api.services import ProjectionStatuses, Services
from api.settings import ApiSettings
from domain.application import SupplyHub
from domain.supplier import Supplier
from projections.read_models import ReadModels

# Declares the bearer scheme in the OpenAPI (the Authorize button of /docs); the token itself is
# checked by each route's principal dependency (api/auth.py), so a missing one is not refused here.
_DOCUMENTED_BEARER = Depends(
    HTTPBearer(auto_error=False, description="A JWT from `supplyhub token create`")
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def registered_suppliers(hub: SupplyHub) -> KnownSuppliers:
    """The suppliers a token may name: those the hub registered. One indexed read of the
    log per new supplier code (a supplier's own events; no view holds the master data)."""

    def registered(code: str) -> bool:
        return bool(hub.recorder.select_events(Supplier.create_id(code), limit=1))

    return KnownSuppliers(registered)


def create_app(
    settings: ApiSettings,
    hub: SupplyHub,
    read_models: ReadModels,
    readiness: Probe,
    *,
    clock: Clock = utc_now,
    projections: ProjectionStatuses = tuple,
    dead_letters: DeadLetterDesk | None = None,
) -> FastAPI:
    """The API on `hub` (writes) and `read_models` (reads); `readiness` answers /readyz,
    `projections` the console's projection statuses."""
    metrics = Metrics(plain_routes=frozenset({"/graphql"}))
    tokens = TokenCache(settings.auth, registered_suppliers(hub))
    app = FastAPI(
        title="Supply Hub",
        version="1",
        description="GraphQL at /graphql for supplier portals and buyers; REST under /api/v1 "
        "for ERP connectors. Authenticate with `Authorization: Bearer <JWT>`; every write "
        "takes an `Idempotency-Key`. Errors are application/problem+json.",
        docs_url=None,  # served offline by api/pages.py
        redoc_url=None,
    )
    app.state.services = Services(
        hub, read_models, tokens, metrics, clock, settings.max_page_size,
        settings.max_bulk_items, projections, dead_letters or NoDeadLetters(),
    )  # fmt: skip
    errors.install(app)
    portal_views = PortalViews(hub)  # a supplier's first look at each revision, off the path
    app.state.portal_views = portal_views
    position = Position(read_models.position, settings.position_ttl_seconds)
    graphql = GraphQLEndpoint(
        build_schema(max_depth=settings.graphql_max_depth), hub, read_models, tokens, metrics,
        clock, settings.max_page_size, ResponseCache(settings.response_cache_size),
        position, portal_views,
    )  # fmt: skip
    # Plain Starlette routes: the cached path needs no dependency injection or validation.
    app.router.routes.append(Route("/graphql", graphql.post, methods=["POST"]))
    # Subscriptions: one watcher of the views' position per process, shared by every socket.
    live = LiveFeed(
        Notifications(read_models, hub.recorder.select_notifications, hub.mapper.to_domain_event)
    )
    socket = GraphQLSocket(graphql, live)  # subscriptions asked alike share one execution
    app.router.routes.append(WebSocketRoute("/graphql", socket))
    live.moved.append(position.moved)  # a query sent on a change sees the change
    app.state.live = live
    app.state.position = position  # the views' position as the response cache takes it
    app.state.shared_subscriptions = socket.shared
    app.router.routes.extend(
        page_routes(app.openapi_url or "", app.title, graphiql=settings.dev_mode)
    )
    app.router.routes.extend(console_routes())
    app.include_router(console_router, dependencies=[_DOCUMENTED_BEARER])
    app.include_router(operations_router, dependencies=[_DOCUMENTED_BEARER])
    app.include_router(counts_router, dependencies=[_DOCUMENTED_BEARER])
    app.include_router(business_router, dependencies=[_DOCUMENTED_BEARER])
    app.include_router(technical_router, dependencies=[_DOCUMENTED_BEARER])
    for resource in (purchase_orders, receipts, invoices, suppliers, bulk, edi, partners, alerts):
        app.include_router(resource.router, prefix="/api/v1", dependencies=[_DOCUMENTED_BEARER])
    app.include_router(cxml.router)  # the partner authenticates in the document, not a token
    app.include_router(as2.router)  # named by its AS2 headers, proved by its signature
    app.include_router(health_router(readiness, metrics, settings.max_lag, tokens))
    app.state.metrics = metrics  # `serve` may also expose them on a port of their own
    app.add_middleware(_Outermost, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    return app


class _Outermost:
    """Metrics around everything, then unmapped errors contained, the body limit, the app."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.asgi = metrics.middleware(errors.contained(body_limit(app, max_body_bytes)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.asgi(scope, receive, send)
