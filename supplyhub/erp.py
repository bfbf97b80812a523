"""Composes the ERP worker from the settings (`supplyhub worker erp`, `supplyhub erp status`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from connectors.erp import invoices
from connectors.erp.sap.odata import SapClient
from connectors.erp.sap.worker import SapWorker, load_cursor
from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker, load_cursors
from connectors.erp.writebacks import pending
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from supplyhub.bootstrap import schema_lock
from supplyhub.settings import SecretFileError, Settings
from supplyhub.workers import open_database, worker_loop

if TYPE_CHECKING:
    from api.health import ErpLag

ADAPTERS = ("tryton", "sap")
READYZ_PENDING_CAP = 1000  # /readyz counts pending write-backs up to this, on every probe


class ErpNotConfiguredError(Exception):
    """A setting the ERP worker needs is missing or wrong: the operator's to fix."""


def check(settings: Settings) -> None:
    if settings.erp_adapter not in ADAPTERS:
        raise ErpNotConfiguredError(
            f"SUPPLYHUB_ERP_ADAPTER must be one of {', '.join(ADAPTERS)} "
            f"(it is {settings.erp_adapter!r})"
        )
    needed = ("url", "database", "user") if settings.erp_adapter == "tryton" else ("url", "user")
    missing = [
        f"SUPPLYHUB_ERP_{name.upper()}" for name in needed if not getattr(settings, f"erp_{name}")
    ]
    if missing:
        raise ErpNotConfiguredError(f"set {', '.join(missing)}")


def password(settings: Settings) -> str:
    try:
        secret = settings.secret("erp_password")
    except SecretFileError as error:
        raise ErpNotConfiguredError(str(error)) from None
    if not secret:
        raise ErpNotConfiguredError("set SUPPLYHUB_ERP_PASSWORD or SUPPLYHUB_ERP_PASSWORD_FILE")
    return secret


def name_of(settings: Settings) -> str:
    if settings.erp_adapter == "sap":
        return f"sap:{sap_system(settings)}"
    return f"tryton:{settings.erp_database}"


def sap_system(settings: Settings) -> str:
    """The SAP system's name in the adapter's keys: the server's host and port, and the SAP
    client when one is set (`erp.example:443/100`)."""
    where = urlsplit(settings.erp_url).netloc or settings.erp_url
    return f"{where}/{settings.erp_database}" if settings.erp_database else where


def build_worker(settings: Settings, hub: SupplyHub) -> TrytonWorker | SapWorker:
    check(settings)
    secret = password(settings)  # read once, checked at start; never logged
    if settings.erp_adapter == "sap":
        return _sap_worker(settings, hub, secret)

    def connect() -> TrytonClient:
        client = TrytonClient(settings.erp_url, settings.erp_database)
        client.login(settings.erp_user, secret)
        return client

    with schema_lock(settings):  # the stores create their tables
        database = open_database(settings)
        states, positions = ErpStateStore(database), PositionStore(database)
    return TrytonWorker(
        hub, connect, settings.erp_database, states, positions, worker_loop(settings, "erp"),
        poll_seconds=settings.erp_poll_seconds,
    )  # fmt: skip


def _sap_worker(settings: Settings, hub: SupplyHub, secret: str) -> SapWorker:
    def connect() -> SapClient:  # a new session: no cookie, no CSRF token yet
        return SapClient(settings.erp_url, settings.erp_user, secret,
                         sap_client=settings.erp_database)  # fmt: skip

    with schema_lock(settings):
        database = open_database(settings)
        states, positions = ErpStateStore(database), PositionStore(database)
    return SapWorker(
        hub, connect, sap_system(settings), states, positions, worker_loop(settings, "erp"),
        lead_days=settings.erp_lead_days, poll_seconds=settings.erp_poll_seconds,
    )  # fmt: skip


def status(settings: Settings, hub: SupplyHub) -> dict[str, Any]:
    """What `supplyhub erp status` shows: the cursors, the last success and error, and the
    acknowledgements not written back yet."""
    check(settings)
    with schema_lock(settings):
        database = open_database(settings)
        states, positions = ErpStateStore(database), PositionStore(database)
    try:
        name = name_of(settings)
        state = states.get(name)
        return {
            "erp": name,
            "url": settings.erp_url,
            **_cursor_fields(settings, state.cursor),
            "last_success": state.last_success or None,
            "last_error": state.last_error or None,
            "last_error_at": state.last_error_at or None,
            "pending_writebacks": pending(hub, positions, name),
            **_invoices_pending(settings, hub, positions, name),
        }
    finally:
        database.close()


def _invoices_pending(
    settings: Settings, hub: SupplyHub, positions: PositionStore, name: str
) -> dict[str, Any]:
    if settings.erp_adapter != "sap":  # Tryton posts no invoices yet
        return {}
    return {"pending_invoices": invoices.pending(hub, positions, name)}


def _cursor_fields(settings: Settings, text: str) -> dict[str, Any]:
    if settings.erp_adapter == "sap":
        cursor = load_cursor(text)
        return {
            "suppliers_since": _iso(cursor.partners.since),
            "purchases_since": _iso(cursor.orders.since),
            "purchases_seen": len(cursor.orders.seen),
            "receipts_since": _iso(cursor.receipts.since),
        }
    cursors = load_cursors(text)
    return {
        "purchases_since": _iso(cursors.purchases.since),
        "receipts_since": _iso(cursors.receipts.since),
        "invoices_since": _iso(cursors.invoices.since),
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def lag_probe(settings: Settings, hub: SupplyHub) -> Callable[[], tuple[ErpLag, ...]]:
    """The ERP's part of /readyz and /metrics, read from the worker's record in the store
    (the API imports no connector: the composition root hands it this). Nothing when no ERP
    is configured."""
    from api.health import ErpLag  # the web stack, only in the API's process

    if not settings.erp_adapter:
        return tuple
    stores: list[tuple[ErpStateStore, PositionStore]] = []
    name = name_of(settings)

    def probe() -> tuple[ErpLag, ...]:
        if not stores:  # opened on the first probe: the API starts without waiting for it
            with schema_lock(settings):
                database = open_database(settings)
                stores.append((ErpStateStore(database), PositionStore(database)))
        states, positions = stores[0]
        state = states.get(name)
        now = datetime.now(UTC).timestamp()
        success, failed = _unix(state.last_success), _unix(state.last_error_at)
        return (
            ErpLag(
                name, pending(hub, positions, name, READYZ_PENDING_CAP),
                None if success is None else round(now - success, 3), success, failed,
                state.last_error,
            ),
        )  # fmt: skip

    return probe


def _unix(iso: str) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None
