"""Process wiring of the workers: the NATS relay and inbound worker (connectors/nats/) composed
from the settings, as their own processes (`supplyhub worker relay|inbound`) or in a thread
beside `supplyhub serve`, and the loop, health flag and status every worker process runs with.

Their tables keep the `backbone_` prefix they were created with (stored names, not renamed)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from api.graphql.codes import PORTAL_CODES
from connectors.alerts.deliveries import DeliveryStore
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.functional_acks import FunctionalAcks
from connectors.gateway.inbound import EdiInbound
from connectors.gateway.outbound import EdiOutbound, OutboundDocuments
from connectors.gateway.receiving import EdiReceiver, Received
from connectors.nats.command_messages import ANSWER_TABLES
from connectors.nats.dead_letters import Action, DeadLetterStore, release
from connectors.nats.inbound import InboundWorker
from connectors.nats.relay import Relay
from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth, read_heartbeat
from connectors.workers.positions import PositionStore
from connectors.workers.status import StatusPublisher, WorkerStatusStore
from domain.application import SupplyHub
from domain.provenance import Channel
from storage.database import Database
from storage.payloads import Payloads
from supplyhub.bootstrap import schema_lock
from supplyhub.cxml import build_cxml_outbound
from supplyhub.edi_transports import as2_sender, payload_store
from supplyhub.partner_desk import partner_directory
from supplyhub.settings import Settings

log = logging.getLogger(__name__)

# The answer codes the inbound worker reads: each channel's own table, and the portal's words
# (kept at the portal's edge, api/graphql/codes.py) for messages that say they come from the
# portal, or from the system, which spoke the portal's words before the tables moved.
INBOUND_ANSWER_TABLES = {
    **ANSWER_TABLES, Channel.PORTAL: PORTAL_CODES, Channel.SYSTEM: PORTAL_CODES,
}  # fmt: skip


class Worker(Protocol):
    loop: ResilientLoop

    def run(self, stop: asyncio.Event) -> Coroutine[Any, Any, None]: ...


class NatsNotConfiguredError(Exception):
    def __init__(self) -> None:
        super().__init__("NATS is off: set SUPPLYHUB_NATS_URL, e.g. nats://127.0.0.1:4222")


def open_database(settings: Settings) -> Database:
    """The NATS workers' tables live in the hub's own store: the SQLite file or the schema."""
    if settings.uses_postgres:
        return Database(
            settings.database_url, settings.database_schema, settings.lock_timeout_seconds
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database.sqlite(settings.sqlite_file, settings.lock_timeout_seconds)


def _nats_url(settings: Settings) -> str:
    if not settings.nats_url:
        raise NatsNotConfiguredError()
    return settings.nats_url


def heartbeat_path(settings: Settings, worker: str) -> Path:
    """Where a worker process writes its heartbeat (its state, at least once a second)."""
    return settings.data_dir / "heartbeats" / f"{worker}.json"


def worker_loop(settings: Settings, worker: str, *, publish: bool = True) -> ResilientLoop:
    """The one resilient loop every worker runs in, with the configured backoff; its states
    go to the heartbeat file and (`publish`) to the store, for the API's `/readyz`."""
    backoff = Backoff(settings.worker_retry_initial_seconds, settings.worker_retry_max_seconds)
    health = WorkerHealth(worker, heartbeat_path(settings, worker))
    if publish:
        health.listeners.append(StatusPublisher(worker_statuses(settings)))
    return ResilientLoop(health, backoff)


def worker_statuses(settings: Settings) -> WorkerStatusStore:
    """The workers' last states in the store (the table is created on first use)."""
    return WorkerStatusStore(open_database(settings))


def check_health(settings: Settings, worker: str) -> str | None:
    """None if the worker's heartbeat is fresh and it is not stopped, else what is wrong."""
    return read_heartbeat(
        heartbeat_path(settings, worker), settings.worker_heartbeat_max_age_seconds
    )


def add_worker_parser(worker_subparsers: Any, name: str, run: Any, **texts: str) -> None:
    """`supplyhub worker NAME` (``texts``: its help and description), with --health."""
    worker = worker_subparsers.add_parser(name, **texts)
    _add_health_flag(worker)
    worker.set_defaults(run=run)


def _add_health_flag(parser: Any) -> None:
    parser.add_argument(
        "--health",
        action="store_true",
        help="check the running worker instead (its heartbeat file is fresh, it is not "
        "stopped); exit 0 if healthy, 1 if not: for a container health check",
    )


def run_health(settings: Settings, worker: str) -> int:
    problem = check_health(settings, worker)
    print(problem or f"{worker}: healthy")
    return 1 if problem else 0


def build_relay(settings: Settings, hub: SupplyHub) -> Relay:
    with schema_lock(settings):  # the position store creates its table
        positions = PositionStore(open_database(settings))
    return Relay(
        hub,
        positions,
        _nats_url(settings),
        stream=settings.nats_stream_events,
        batch_size=settings.relay_batch_size,
        loop=worker_loop(settings, "relay"),
    )


def edi_documents(settings: Settings) -> OutboundDocuments:
    """The EDI worker's documents sent and interchanges parked, in the store."""
    with schema_lock(settings):
        return OutboundDocuments(open_database(settings))


class LazyEdiReceiver:
    """What ``POST /api/v1/edi`` hands an interchange to (connectors/gateway/receiving.py):
    parks what cannot be read, writes our functional ack (the worker delivers it) and matches
    the partner's to what we sent. Its tables are opened on the first interchange, so an API
    over a read-only store still starts (and says why it refuses writes)."""

    def __init__(self, settings: Settings, partners: PartnerDirectory) -> None:
        self._settings = settings
        self.partners = partners  # the profiles it reads, as the gateway's other parts do
        self._receiver: EdiReceiver | None = None
        self._lock = threading.Lock()

    def receive(self, partner: str, body: bytes) -> list[Received]:
        with self._lock:
            if self._receiver is None:
                with schema_lock(self._settings):
                    database = open_database(self._settings)
                    documents, acks = OutboundDocuments(database), FunctionalAcks(database)
                    payloads = payload_store(self._settings, database)
                self._receiver = EdiReceiver(EdiInbound(self.partners), documents, acks, payloads)
        return self._receiver.receive(partner, body)


def payloads(settings: Settings) -> Payloads:
    """The raw EDI payloads, where this hub keeps them (supplyhub/edi_transports.py)."""
    with schema_lock(settings):
        return payload_store(settings, open_database(settings))


def build_edi(
    settings: Settings, hub: SupplyHub, partners: PartnerDirectory | None = None
) -> EdiOutbound:
    """The EDI gateway's worker: POs out to partners, their answers in (connectors/gateway).
    ``partners``: a directory the process already keeps (the API's), else one of its own."""
    with schema_lock(settings):  # the position store and the documents create their tables
        database = open_database(settings)
        positions, documents = PositionStore(database), OutboundDocuments(database)
        acks = FunctionalAcks(database)
        cxml = build_cxml_outbound(settings, database)  # a cXML partner's OrderRequests
        payloads, as2 = payload_store(settings, database), as2_sender(settings, database)
    return EdiOutbound(
        hub, positions, documents, EdiInbound(partners or partner_directory(settings)), payloads,
        acks,
        batch_size=settings.edi_batch_size, timeout_seconds=settings.edi_timeout_seconds,
        cxml=cxml, as2=as2.send if as2 else None,
    )  # fmt: skip


def dead_letter_store(settings: Settings) -> DeadLetterStore:
    with schema_lock(settings):  # the store creates its tables
        return DeadLetterStore(open_database(settings))


def release_dead_letter(
    store: DeadLetterStore,
    hub: SupplyHub,
    document: str,
    *,
    retry: bool,
    actor: str,
    reason: str,
) -> Action:
    """Retry (or drop) a document's dead letter, then apply what is parked and held behind
    it, and record who asked and why: what `supplyhub dlq retry|drop` and the console's
    buttons both do. Raises KeyError if the document has nothing dead or held."""
    # An inbound worker only to apply commands as the worker would: it does not touch NATS.
    applier = InboundWorker(hub, store, "-", answer_tables=INBOUND_ANSWER_TABLES)
    now = datetime.now(UTC)
    done = release(store, document, applier.apply, lambda: datetime.now(UTC), retry=retry)
    action = Action(document, "retry" if retry else "drop", actor, reason, done.applied,
                    done.still_dead, now.isoformat())  # fmt: skip
    store.record(action)
    return action


def build_inbound(settings: Settings, hub: SupplyHub) -> InboundWorker:
    return InboundWorker(
        hub,
        dead_letter_store(settings),
        _nats_url(settings),
        stream=settings.nats_stream_commands,
        durable=settings.nats_inbound_durable,
        batch_size=settings.inbound_batch_size,
        max_attempts=settings.inbound_max_attempts,
        ack_wait_seconds=settings.inbound_ack_wait_seconds,
        hold_seconds=settings.inbound_hold_seconds,
        loop=worker_loop(settings, "inbound"),
        answer_tables=INBOUND_ANSWER_TABLES,
    )


def create_tables(settings: Settings) -> None:
    """The workers' own tables (the relay's position, dead letters, parked and held
    commands, the workers' states, the alerts sent)."""
    database = open_database(settings)
    try:
        with schema_lock(settings):
            PositionStore(database)
            DeadLetterStore(database)
            WorkerStatusStore(database).create_table()
            DeliveryStore(database)
    finally:
        database.close()


async def run_until_signalled(*workers: Worker) -> None:
    """Run workers until SIGTERM or SIGINT, then let each finish its current batch."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.gather(*(worker.run(stop) for worker in workers))


@dataclass
class NatsWorkersHandle:
    """The NATS workers running in a background thread of `supplyhub serve`."""

    thread: threading.Thread
    loop: asyncio.AbstractEventLoop
    stop_event: asyncio.Event
    health: list[WorkerHealth]

    def stop(self, timeout: float = 10.0) -> None:
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout)


def start_in_process(settings: Settings, hub: SupplyHub) -> NatsWorkersHandle | None:
    """Relay and inbound worker beside the API in one process; None when NATS is off."""
    if not settings.nats_url:
        return None
    workers: list[Worker] = [build_relay(settings, hub), build_inbound(settings, hub)]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        await asyncio.gather(*(worker.run(stop) for worker in workers))

    def run() -> None:
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="supplyhub-nats-workers", daemon=True)
    thread.start()
    log.info("NATS workers: relay and inbound worker started on %s", settings.nats_url)
    return NatsWorkersHandle(thread, loop, stop, [worker.loop.health for worker in workers])
