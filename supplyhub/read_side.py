"""Composes the read side on the configured store: view store, runner, queries, audit; and
the rebuild policy (how many processes a rebuild runs on)."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from uuid import UUID

from connectors.workers.loop import WorkerHealth
from domain.application import SupplyHub
from projections.as_of import purchase_order_as_of
from projections.audit_report import ChainHead
from projections.listening_waker import ListeningWaker
from projections.projection import Processor
from projections.queries import StoredReadModels
from projections.read_models import AuditEntryView, PurchaseOrderView
from projections.rebuild.blue_green import Helper, Launch, Progress, rebuild
from projections.rebuild.parts import Segment
from projections.runner import ProjectionRunner, ProjectionStatus, Waker
from projections.stores.postgres_views import PostgresViewStore
from projections.stores.sqlite_views import SqliteViewStore
from projections.stores.view_store import SqlViewStore
from projections.views.audit_ledger import AuditLedger, Verification
from storage.recorder import BinaryInsertRecorder
from supplyhub.audit import checkpointer, read_only_log, recorded_head, verify_log
from supplyhub.bootstrap import schema_lock
from supplyhub.projection_set import processors
from supplyhub.rebuild_part import ChildPart
from supplyhub.settings import Settings
from supplyhub.workers import worker_loop

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # PostgreSQL: the poll that catches up when a NOTIFY is lost
# Events per rebuild transaction: large batches amortise decoding and writes, but on SQLite
# a batch holds the one write lock the event store also needs, so keep it short there.
REBUILD_BATCH_POSTGRES = 5000
REBUILD_BATCH_SQLITE = 1000
# A view with fewer events in the log is rebuilt in one process: starting another (imports,
# connections) costs about a second, which a split pays back from some tens of thousands.
PARTS_FROM_EVENTS = 50_000
MAX_PARTS = 4


class RebuildRefusedError(ValueError):
    """A rebuild asked of this store or view in a way it cannot run (nothing was changed)."""


class ReadSide:
    """The views, the runner that keeps them, and the operations on them (status, rebuild,
    audit). Build it with `open_read_side`; call `close()` when done."""

    def __init__(
        self,
        hub: SupplyHub,
        store: SqlViewStore,
        runner: ProjectionRunner,
        settings: Settings,
        rebuild_batch: int = REBUILD_BATCH_POSTGRES,
        health: WorkerHealth | None = None,
    ) -> None:
        self.hub = hub
        self.health = health or WorkerHealth("projections")  # the runner's, when it runs
        self.settings = settings
        self.rebuild_batch = rebuild_batch
        self.store = store
        self.runner = runner
        self.read_models = StoredReadModels(store, runner)

    def status(self) -> list[ProjectionStatus]:
        """Per projection version: position, log head, lag in events and seconds."""
        return self.runner.status()

    def rebuild(
        self,
        name: str,
        progress: Progress | None = None,
        processes: int | None = None,
        *,
        force: bool = False,
    ) -> int:
        """Blue/green rebuild of one projection; returns the new live version.

        `processes`: how many processes split it (PostgreSQL, and a view that names its
        documents, `split_by`); None decides from the log's length and the settings.
        The audit ledger is the chain as it was recorded: rebuilt over a log that
        disagrees with it, it would re-chain the tampered log, so that is refused unless
        `force` (then only the signed checkpoints still tell)."""
        chosen = self._chosen(name)
        if chosen.name == AuditLedger.name and not force:
            found = self.verify_audit().finding
            if found is not None:
                raise RebuildRefusedError(
                    f"the recorded chain disagrees with the log: {found}. Rebuilding would "
                    "chain the log as it is now and hide that; run `supplyhub audit verify`, "
                    "restore the log, or rebuild with --force to accept the log as it is"
                )
        parts = self.processes_for(name, processes)
        launch = self._launcher(name) if parts > 1 else None
        return rebuild(
            self.hub.recorder, self.hub.mapper.to_domain_event, self.store, chosen, progress,
            self.rebuild_batch, parts=parts, launch=launch,
        )  # fmt: skip

    def processes_for(self, name: str, processes: int | None = None) -> int:
        """How many processes `rebuild(name, processes=...)` runs on; raises
        RebuildRefusedError for a number this store or view cannot run."""
        chosen = self._chosen(name)
        splits = bool(getattr(chosen, "split_by", ""))
        if processes is not None:
            if processes < 1:
                raise RebuildRefusedError(f"processes must be at least 1, not {processes}")
            if processes > 1 and not self.settings.uses_postgres:
                raise RebuildRefusedError(
                    "SQLite has one writer: a rebuild there runs in one process"
                )
            if processes > 1 and not splits:
                raise RebuildRefusedError(f"{chosen.name} cannot be split between processes")
            return processes
        if not (self.settings.uses_postgres and splits and self._long(chosen)):
            return 1
        return self.settings.rebuild_processes or min(MAX_PARTS, os.cpu_count() or 1)

    def _long(self, chosen: Processor) -> bool:
        """Whether the view's own events are enough to pay for starting more processes."""
        recorder = self.hub.recorder
        if not isinstance(recorder, BinaryInsertRecorder):
            return False
        return recorder.holds_at_least(PARTS_FROM_EVENTS, getattr(chosen, "topics", None) or ())

    def _chosen(self, name: str) -> Processor:
        chosen = {p.name: p for p in processors()}.get(name)
        if chosen is None:
            raise KeyError(f"no projection named {name!r}; known: {', '.join(self.names())}")
        return chosen

    def _launcher(self, name: str) -> Launch:
        def launch(segment: Segment, version: int, until: int) -> Helper:
            job = {
                "database_url": self.settings.database_url,
                "database_schema": self.settings.database_schema,
                "name": name, "index": segment.index, "count": segment.count,
                "low": segment.low, "high": segment.high,
                "version": version, "until": until, "batch_size": self.rebuild_batch,
                "parent": os.getpid(),
            }  # fmt: skip
            return ChildPart(job)

        return launch

    def names(self) -> list[str]:
        """The projection names `rebuild` accepts."""
        return [p.name for p in processors()]

    def history(self, document_id: str) -> tuple[AuditEntryView, ...]:
        """Every event of one document (aggregate id), oldest first, with its provenance."""
        return self.read_models.history(UUID(document_id))

    def purchase_order_as_of(
        self, number: str, revision: int | None = None, at: datetime | None = None
    ) -> PurchaseOrderView | None:
        """The purchase order view at a revision or as recorded by a time (from its events)."""
        return purchase_order_as_of(self.hub, number, revision=revision, at=at).view()

    def verify_audit(self) -> Verification:
        """Compare the stored events with the chain as the ledger recorded it, read-only as
        `supplyhub audit verify` does (no catching up first: events not chained yet are
        counted, not chained)."""
        with read_only_log(self.settings) as source:
            return verify_log(source)

    def digest(self) -> ChainHead:
        """The ledger's head: the position and digest an auditor keeps outside the system."""
        return recorded_head(self.settings)

    def write_fault(self) -> str:
        """Why the read side cannot keep the views now ("" when it can): the live runner's
        last failed batch (disk full, read-only...), or a store that refuses writes."""
        return self.runner.fault or self.store.write_fault()

    def close(self) -> None:
        """Stop the runner if running and release connections."""
        self.runner.stop()
        self.runner.waker.close()
        self.store.close()


def open_read_side(settings: Settings, hub: SupplyHub, *, listen: bool = True) -> ReadSide:
    """The read side on the same database as `hub` (embedded SQLite file or PostgreSQL).

    `listen=False` runs PostgreSQL on the poll alone (tests use it to prove a lost NOTIFY
    cannot stall the views)."""
    store: SqlViewStore
    waker: Waker | None = None
    idle_wait = 0.05
    if settings.uses_postgres:
        store = PostgresViewStore(settings.database_url, settings.database_schema)
        channel = getattr(hub.recorder, "channel_name", "")
        if listen and channel:
            waker = ListeningWaker(settings.database_url, channel)
        idle_wait = POLL_SECONDS
    else:
        store = SqliteViewStore(settings.sqlite_file)
    with schema_lock(settings):
        store.prepare(processors())
    loop = worker_loop(settings, "projections")
    runner = ProjectionRunner(
        hub.recorder, hub.mapper.to_domain_event, store, processors(),
        idle_wait=idle_wait, waker=waker, step_loop=loop.run_sync,
    )  # fmt: skip
    runner.after_batch = checkpointer(settings, store)
    batch = REBUILD_BATCH_POSTGRES if settings.uses_postgres else REBUILD_BATCH_SQLITE
    return ReadSide(hub, store, runner, settings, batch, loop.health)
