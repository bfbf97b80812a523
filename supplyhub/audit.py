"""The audit's process wiring: settings to the read-only store (`storage.read_only_log`), the
key, the checkpoint file and the NATS stream (`supplyhub.audit_anchors`), then the pure
judgement of `projections.audit_report`; signing a checkpoint; the runner's checkpointer.

It stays in supplyhub/ because every function here starts from the settings and does I/O
(opens the store, reads or appends the file, publishes); what it concludes is pure and lives
in projections/audit_report.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from projections import audit_checkpoints
from projections.audit_checkpoints import Checkpoint
from projections.audit_report import ChainHead, Report, judge, ledger_links, positions_to_check
from projections.stores.view_store import SqlViewStore
from projections.views.audit_ledger import AuditLedger, Verification, verify
from storage.read_only_log import (
    ReadOnlyLog,
    UnreadableStoreError,
    postgres_read_only,
    sqlite_read_only,
)
from supplyhub.audit_anchors import (
    AuditSetupError,
    append_checkpoint,
    audit_key,
    checkpoint_lines,
    publish_checkpoint,
    stream_lines,
)
from supplyhub.settings import Settings

log = logging.getLogger(__name__)


@contextmanager
def read_only_log(settings: Settings) -> Iterator[ReadOnlyLog]:
    """The configured store, opened so that nothing can be written through it."""
    opened = (
        postgres_read_only(settings.database_url, settings.database_schema)
        if settings.uses_postgres
        else sqlite_read_only(settings.sqlite_file)
    )
    try:
        with opened as source:
            yield source
    except UnreadableStoreError as error:  # the audit cannot run as configured
        raise AuditSetupError(str(error)) from None


def verify_log(source: ReadOnlyLog, positions: Collection[int] = ()) -> Verification:
    """Compare the stored events with the chain as the ledger recorded it."""
    return verify(source.events(), ledger_links(source.view(AuditLedger.name)), positions)


def verify_store(settings: Settings, expect: ChainHead | None = None) -> Report:
    """Compare the log with the recorded chain, the signed checkpoints and what the auditor
    kept; read-only."""
    key = audit_key(settings)
    lines = checkpoint_lines(settings.checkpoint_file)
    streamed = stream_lines(settings)
    with read_only_log(settings) as source:
        verification = verify_log(source, positions_to_check(lines, streamed, expect))
    return judge(verification, lines, streamed, key, expect, settings.audit_nats_stream)


def position_of(settings: Settings, originator_id: str, version: int) -> int | None:
    """The log position of one document's event (to name a corrupt one), read-only."""
    with read_only_log(settings) as source:
        return source.position_of(originator_id, version)


def recorded_head(settings: Settings) -> ChainHead:
    """The recorded chain's head, read-only; position 0 when nothing is chained yet."""
    with read_only_log(settings) as source:
        row = source.last(AuditLedger.name)
    return ChainHead.of_row(*row) if row else ChainHead(0)


def write_checkpoint(settings: Settings, now: datetime | None = None) -> Checkpoint:
    """Sign the chain of the whole log as it is now, after checking the log against the
    recorded chain; raise AuditSetupError if there is no key or they disagree."""
    key = audit_key(settings)
    if key is None:
        raise AuditSetupError(
            "no audit key: set SUPPLYHUB_AUDIT_KEY or SUPPLYHUB_AUDIT_KEY_FILE to sign checkpoints"
        )
    report = verify_store(settings)
    if not report.ok:
        reason = report.verification.finding or "; ".join(report.checkpoint_problems)
        raise AuditSetupError(f"refusing to sign a chain that does not verify: {reason}")
    found = report.verification
    checkpoint = audit_checkpoints.sign(
        key, found.log_head, found.log_digest, now or datetime.now(UTC)
    )
    append_checkpoint(settings.checkpoint_file, checkpoint)
    publish_checkpoint(settings, checkpoint)
    return checkpoint


class Checkpointer:
    """Called by the live projection runner after each batch: signs the recorded chain's
    head every so many events or seconds (by settings)."""

    def __init__(
        self,
        store: SqlViewStore,
        key: bytes,
        path: Path,
        every_events: int,
        every_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        publish: Callable[[Checkpoint], None] = lambda checkpoint: None,
    ) -> None:
        self.store, self.key, self.path, self.publish = store, key, path, publish
        self.every_events, self.every_seconds, self.clock = every_events, every_seconds, clock
        self.last_position = self._last_signed()
        self.last_time = clock()

    def __call__(self, position: int) -> Checkpoint | None:
        """Sign a checkpoint if one is due at runner position `position`."""
        if position <= self.last_position:
            return None
        by_count = self.every_events and position - self.last_position >= self.every_events
        by_time = self.every_seconds and self.clock() - self.last_time >= self.every_seconds
        if not (by_count or by_time):
            return None
        head = self.store.last(AuditLedger.name)
        if head is None:
            return None
        chain = ChainHead.of_row(*head)
        checkpoint = audit_checkpoints.sign(
            self.key, chain.position, chain.digest, datetime.now(UTC)
        )
        # Counted as done before writing: a file that cannot be written (its disk full) is
        # reported by the runner once per interval, not after every batch.
        self.last_position, self.last_time = checkpoint.position, self.clock()
        append_checkpoint(self.path, checkpoint)
        self.publish(checkpoint)
        log.info("audit checkpoint signed at position %d", checkpoint.position)
        return checkpoint

    def _last_signed(self) -> int:
        for line in reversed(checkpoint_lines(self.path)):
            try:
                return audit_checkpoints.parse(line).position
            except ValueError:
                continue
        return 0


def checkpointer(settings: Settings, store: SqlViewStore) -> Checkpointer | None:
    """The runner's checkpointer when a key is configured and either interval is set."""
    every = settings.audit_checkpoint_every_events or settings.audit_checkpoint_every_seconds
    key = audit_key(settings)
    if key is None or not every:
        return None
    return Checkpointer(
        store, key, settings.checkpoint_file, settings.audit_checkpoint_every_events,
        settings.audit_checkpoint_every_seconds,
        publish=lambda checkpoint: publish_checkpoint(settings, checkpoint),
    )  # fmt: skip
