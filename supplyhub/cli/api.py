"""`supplyhub serve` (GraphQL, REST, health, metrics on uvicorn) and `supplyhub token create`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from api.auth import AuthConfig, Role
from storage.gc_pause import freeze_long_lived
from supplyhub.bootstrap import open_hub
from supplyhub.cli.output import fail
from supplyhub.settings import DEV_JWT_SECRET, Settings

if TYPE_CHECKING:
    from api.graphql.live import LiveFeed
    from connectors.workers.loop import WorkerHealth, WorkerState
    from domain.application import SupplyHub
    from projections.read_models import ReadModels
    from projections.runner import ProjectionStatus
    from supplyhub.live_views import ViewsFollower

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve GraphQL (/graphql), REST (/api/v1), /healthz, /readyz and /metrics",
        description="Runs the API and, in the same process, the projections that keep the read "
        "models current. SUPPLYHUB_DEV_MODE=true serves GraphiQL at GET /graphql.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument(
        "--api-only",
        action="store_true",
        help="serve the API alone, for replicas beside separate `supplyhub worker` processes "
        "(default: also run the projections, and the NATS relay and inbound worker when "
        "SUPPLYHUB_NATS_URL is set, in this process)",
    )
    serve.set_defaults(run=run_serve)

    token = subparsers.add_parser("token", help="bearer tokens for development")
    tokens = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = tokens.add_parser(
        "create",
        help="print a signed JWT for a role (signed with SUPPLYHUB_JWT_SECRET)",
        description="Example: supplyhub token create --role supplier --supplier SUP-ACME",
    )
    create.add_argument("--role", required=True, choices=[str(r) for r in Role])
    create.add_argument(
        "--supplier", default="", help="required for, and only for, --role supplier"
    )
    create.add_argument("--subject", default="dev", help="who the token names (default: dev)")
    create.add_argument(
        "--ttl",
        type=int,
        default=8 * 3600,
        help="seconds (default: 8 hours; at most SUPPLYHUB_JWT_MAX_LIFETIME_SECONDS)",
    )
    create.set_defaults(run=run_token_create)


def run_token_create(args: argparse.Namespace, settings: Settings) -> int:
    role = Role(args.role)
    if (role is Role.SUPPLIER) != bool(args.supplier):
        return fail("--supplier is required for --role supplier, and only for it", 2)
    if not 0 < args.ttl <= settings.jwt_max_lifetime_seconds:
        return fail(
            f"--ttl must be between 1 and {settings.jwt_max_lifetime_seconds} seconds "
            "(SUPPLYHUB_JWT_MAX_LIFETIME_SECONDS): the API refuses longer-lived tokens",
            2,
        )
    if settings.jwt_secret == DEV_JWT_SECRET and not settings.dev_mode:
        log.warning(
            "SUPPLYHUB_JWT_SECRET is the development default: this token is good only for a "
            "hub in development mode"
        )
    print(auth_config(settings).issue(role, args.subject, args.supplier, args.ttl))
    return 0


class InsecureSecretError(Exception):
    """The API would accept tokens anyone can mint."""


def auth_config(settings: Settings) -> AuthConfig:
    return settings.api().auth


def serving_auth(settings: Settings) -> AuthConfig:
    """The token settings `serve` verifies with: never the published development secret
    outside development mode (Settings already refuses one shorter than 32 characters)."""
    if settings.jwt_secret == DEV_JWT_SECRET and not settings.dev_mode:
        raise InsecureSecretError(
            "SUPPLYHUB_JWT_SECRET is unset or the development secret, which anyone can use to "
            "mint tokens: set a secret of at least 32 random characters "
            "(or SUPPLYHUB_DEV_MODE=true on a developer's machine)"
        )
    return auth_config(settings)


def build_app(
    settings: Settings,
    hub: SupplyHub,
    read_models: ReadModels,
    write_fault: Callable[[], str] = lambda: "",
    workers: Sequence[WorkerHealth] = (),
    projections: Callable[[], Sequence[ProjectionStatus]] = tuple,
) -> Any:
    """The app as `serve` runs it; `write_fault` says why the store refuses writes, if it
    does (the read side's), and turns /readyz to 503 with that reason; `workers` are this
    process's own, beside those other processes recorded in the store."""
    # The web stack is imported here, not at the top: every other command (history, dlq,
    # workers...) would otherwise pay its ~1.8 s import on start.
    from api.app import create_app
    from api.health import Readiness, WorkerStatus
    from connectors.cxml.inbound import CxmlInbound
    from supplyhub import erp
    from supplyhub.alerts import StoredAlertDesk
    from supplyhub.bootstrap import schema_lock
    from supplyhub.cxml import cxml_orders
    from supplyhub.dead_letter_desk import StoredDeadLetterDesk
    from supplyhub.edi_transports import payload_store
    from supplyhub.partner_desk import StoredPartnerDesk, partner_directory
    from supplyhub.technical_desk import StoredTechnicalDesk
    from supplyhub.workers import LazyEdiReceiver, open_database, worker_statuses

    statuses = worker_statuses(settings)  # workers of other processes, as they recorded it
    erp_lag = erp.lag_probe(settings, hub)  # the ERP worker's record, when one is configured

    def readiness() -> Readiness:
        found = {w.worker: w.state for w in workers}
        fault = write_fault()  # a read-only or full store: its reason, before anything fails
        try:
            head = hub.recorder.max_notification_id() or 0  # raises when the store is away
            stored = statuses.all(settings.worker_heartbeat_max_age_seconds)
            erp_lags = erp_lag()
        except Exception as error:
            detail = fault or type(error).__name__
            return Readiness(False, -1, detail, _statuses(found, WorkerStatus))
        found = {**{s.worker: s for s in stored}, **found}  # this process's own are fresher
        lag = max(0, head - read_models.position())
        return Readiness(not fault, lag, fault, _statuses(found, WorkerStatus), erp_lags)

    serving_auth(settings)  # refuses the development secret outside development mode
    desk = StoredDeadLetterDesk.open(settings, hub)  # the inbound worker's, in the same store
    app = create_app(
        settings.api(), hub, read_models, readiness, projections=projections, dead_letters=desk
    )
    partners = partner_directory(settings)  # the event-sourced profiles, kept current
    with schema_lock(settings):  # the database's payload table is created on first use
        app.state.payloads = payload_store(settings, open_database(settings))  # auditors
    app.state.edi = LazyEdiReceiver(settings, partners)  # POST /api/v1/edi
    app.state.partners = StoredPartnerDesk(partners)  # /api/v1/partners
    app.state.cxml = CxmlInbound(  # POST /cxml; a StatusUpdateRequest on our OrderRequests
        partners, payloads=app.state.payloads, statuses=cxml_orders(settings)
    )
    app.state.alerts = StoredAlertDesk.open(settings, hub)  # GET /api/v1/alerts
    if settings.as2_id:  # POST /as2: the EDI worker's inbound path behind AS2
        from supplyhub.edi_transports import build_as2_endpoint

        app.state.as2 = build_as2_endpoint(settings, hub, partners)
    app.state.technical = StoredTechnicalDesk(settings, hub, partners)  # technical panels
    return app


def serve_metrics(settings: Settings, app: Any, host: str) -> Callable[[], None]:
    """Prometheus on SUPPLYHUB_METRICS_PORT, without a token, when it is set; returns how to
    stop it."""
    if not settings.metrics_port:
        return lambda: None
    from prometheus_client import start_http_server

    server, thread = start_http_server(
        settings.metrics_port, host, registry=app.state.metrics.registry
    )

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop


def _statuses(found: dict[str, WorkerState], make: Any) -> tuple[Any, ...]:
    return tuple(make(s.worker, s.state, s.failures) for s in found.values())


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from supplyhub.read_side import open_read_side
    from supplyhub.workers import start_in_process

    try:
        serving_auth(settings)  # before anything opens: a refusal is one clear line
    except InsecureSecretError as error:
        print(f"supplyhub serve: {error}", file=sys.stderr)
        return 2
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    backbone = None
    try:
        if not args.api_only:  # one process runs everything: the embedded default
            read_side.runner.start()
            backbone = start_in_process(settings, hub)  # relay + inbound when NATS is set
        workers = [] if args.api_only else [read_side.health]
        workers += backbone.health if backbone is not None else []
        app = build_app(
            settings, hub, read_side.read_models, read_side.write_fault, workers,
            read_side.status,
        )  # fmt: skip
        follower = None
        if not args.api_only:  # the views commit here: the live feed is woken, not polling
            read_side.runner.published.append(app.state.live.wake)
        elif settings.uses_postgres:  # they commit in the workers: their NOTIFY wakes it
            follower = _follow_views(settings, read_side.read_models, app.state.live)
        stop_metrics = serve_metrics(settings, app, args.host)
        freeze_long_lived()  # full collections then skip start-up's objects (storage/gc_pause)
        try:
            uvicorn.Server(
                uvicorn.Config(app, host=args.host, port=args.port, log_level="info", workers=1)
            ).run()
        finally:
            stop_metrics()
            if follower is not None:
                follower.stop()
    finally:
        if backbone is not None:
            backbone.stop()
        read_side.runner.stop()
        read_side.close()
        hub.close()
    return 0


def _follow_views(settings: Settings, read_models: ReadModels, live: LiveFeed) -> ViewsFollower:
    from supplyhub.live_views import ViewsFollower

    return ViewsFollower(
        settings.database_url,
        settings.database_schema,
        read_models.position,
        live.wake,
        watched=lambda: live.subscribers > 0,
    ).start()


def register_workers(worker_subparsers: Any) -> None:
    """The API runs under `supplyhub serve`; it has no worker of its own."""
