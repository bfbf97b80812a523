"""The audit operations: verify the log against the recorded chain, the signed checkpoints
and a digest the auditor kept; sign a checkpoint; and the runner's periodic checkpointer.

Everything here reads the store read-only (`storage.read_only_log`); what anchors the chain
outside it (key, checkpoint file, NATS stream) is in `supplyhub.audit_anchors`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from projections import audit_checkpoints
from projections.audit_checkpoints import Checkpoint
from projections.audit_ledger import AuditLedger, Verification, verify
from projections.view_store import SqlViewStore
from supplyhub.audit_anchors import (
    append_checkpoint,
    audit_key,
    checkpoint_lines,
    publish_checkpoint,
    stream_lines,
)
from storage.read_only_log import AuditSetupError, read_only_log
from supplyhub.settings import Settings

__all__ = ["AuditSetupError", "Checkpointer", "Report", "checkpointer", "position_of",
           "recorded_head", "verify_store", "write_checkpoint"]  # fmt: skip
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    verification: Verification
    checkpoints: int  # lines in the checkpoint file
    checkpoint_problems: list[str] = field(default_factory=list)
    expected: tuple[int, str] | None = None  # (position, digest) the auditor kept
    expected_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.checkpoint_problems and not self.expected_problem


def verify_store(settings: Settings, expect: tuple[int, str] | None = None) -> Report:
    """Compare the log with the recorded chain, the signed checkpoints and what the auditor
    kept; read-only."""
    key = audit_key(settings)
    lines = checkpoint_lines(settings.checkpoint_file)
    streamed = stream_lines(settings)
    asked = audit_checkpoints.positions([*lines, *(streamed or ())])
    if expect is not None:
        asked.add(expect[0])
    with read_only_log(settings) as source:
        verification = verify(source.events(), source.ledger(), asked)
    reached = verification.log_head if verification.ok else verification.head_position
    found = audit_checkpoints.problems(
        lines, key, verification.digests, reached, complete=verification.ok
    )
    if streamed is not None:
        found += [
            f"NATS stream {settings.audit_nats_stream}: {problem}"
            for problem in audit_checkpoints.problems(
                streamed, key, verification.digests, reached, complete=verification.ok
            )
        ]
        if len(streamed) > len(lines):
            found.append(
                f"the checkpoint file holds {len(lines)} checkpoints, the NATS stream "
                f"{len(streamed)}: the file was truncated or replaced"
            )
    return Report(verification, len(lines), found, expect, _expected(verification, expect))


def _expected(verification: Verification, expect: tuple[int, str] | None) -> str:
    if expect is None:
        return ""
    position, digest = expect
    if position > verification.log_head and verification.ok:
        return f"the log ends at {verification.log_head}, before position {position}"
    got = verification.digests.get(position)
    if got is None:  # not reached: the finding says why
        return "" if not verification.ok else f"position {position} is not in the log"
    if got != digest:
        return f"the chain at position {position} is {got}, not the expected {digest}"
    return ""


def position_of(settings: Settings, originator_id: str, version: int) -> int | None:
    """The log position of one document's event (to name a corrupt one), read-only."""
    with read_only_log(settings) as source:
        return source.position_of(originator_id, version)


def recorded_head(settings: Settings) -> tuple[int, str]:
    """The recorded chain's head (position, digest), read-only."""
    with read_only_log(settings) as source:
        return source.head()


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
        checkpoint = audit_checkpoints.sign(
            self.key, int(head[0]), head[1].split(" ")[1], datetime.now(UTC)
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
