"""Audit operations that must not trust or touch the database: a read-only view of the log
and the recorded chain, the checkpoint key and the append-only checkpoint file.

Verifying opens the store read-only (SQLite `mode=ro`, or `immutable=1` for a copy on
read-only media; PostgreSQL a REPEATABLE READ READ ONLY transaction), so it works on a
read-only copy and cannot change what it checks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import nats
import psycopg
from eventsourcing.persistence import Notification
from nats.errors import Error as NatsError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from psycopg import sql

from connectors.streams import close_quietly
from domain.application import SupplyHub
from projections import audit_checkpoints
from projections.audit_checkpoints import Checkpoint
from projections.audit_ledger import AuditLedger, Verification, verify
from projections.view_store import SqlViewStore, table_name
from supplyhub.settings import Settings

log = logging.getLogger(__name__)
BATCH = 5000
EVENTS_TABLE = f"{SupplyHub.name.lower()}_events"  # the library's table on PostgreSQL
MIN_KEY_LENGTH = 16


class AuditSetupError(Exception):
    """The audit cannot run as configured (no store, no key, a bad key); nothing was read."""


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


# --- reading without writing ---------------------------------------------------------------


class ReadOnlyLog:
    """The event log and the recorded chain on one read-only snapshot."""

    def __init__(
        self, cur: Any, mark: str, events: str | None, position: str, ledger_table: str | None
    ) -> None:
        self.cur, self.mark, self.position = cur, mark, position
        self.events_table, self.ledger_table = events, ledger_table

    def events(self) -> Iterator[Notification]:
        if self.events_table is None:
            return
        after = 0
        while True:
            self.cur.execute(
                f"SELECT {self.position}, originator_id, originator_version, topic, state "
                f"FROM {self.events_table} WHERE {self.position} > {self.mark} "
                f"ORDER BY {self.position} LIMIT {BATCH}",
                (after,),
            )
            rows = self.cur.fetchall()
            for position, originator, version, topic, state in rows:
                yield Notification(
                    id=position, originator_id=_as_id(originator), originator_version=version,
                    topic=topic, state=bytes(state),
                )  # fmt: skip
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    def position_of(self, originator_id: str, version: int) -> int | None:
        """The log position of one document's event (to name a corrupt one)."""
        if self.events_table is None:
            return None
        stored = UUID(originator_id).hex if self.mark == "?" else originator_id  # SQLite: hex
        self.cur.execute(
            f"SELECT {self.position} FROM {self.events_table} WHERE originator_id = {self.mark} "
            f"AND originator_version = {self.mark}",
            (stored, version),
        )
        row = self.cur.fetchone()
        return int(row[0]) if row else None

    def ledger(self) -> Iterator[tuple[int, str, str]]:
        if self.ledger_table is None:
            return
        after = ""
        while True:
            self.cur.execute(
                f"SELECT key, doc FROM {self.ledger_table} WHERE key > {self.mark} "
                f"ORDER BY key LIMIT {BATCH}",
                (after,),
            )
            rows = self.cur.fetchall()
            for key, doc in rows:
                own, digest = doc.split(" ")
                yield int(key), own, digest
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    def head(self) -> tuple[int, str]:
        """The recorded chain's head (position, digest); (0, "") when nothing is chained."""
        if self.ledger_table is None:
            return 0, ""
        self.cur.execute(f"SELECT key, doc FROM {self.ledger_table} ORDER BY key DESC LIMIT 1")
        row = self.cur.fetchone()
        return (int(row[0]), row[1].split(" ")[1]) if row else (0, "")


def _as_id(stored: Any) -> Any:
    """As the library reads it: SQLite keeps a UUID as hex text (the chain hashes the UUID)."""
    if isinstance(stored, str):
        try:
            return UUID(stored)
        except ValueError:
            return stored
    return stored


@contextmanager
def read_only_log(settings: Settings) -> Iterator[ReadOnlyLog]:
    """The configured store, opened so that nothing can be written through it."""
    if settings.uses_postgres:
        with _postgres_read_only(settings) as found:
            yield found
    else:
        with _sqlite_read_only(settings.data_dir / "hub.sqlite3") as found:
            yield found


@contextmanager
def _sqlite_read_only(path: Path) -> Iterator[ReadOnlyLog]:
    if not path.is_file():
        raise AuditSetupError(f"no event store at {path}")
    conn = _sqlite_connect(path)
    try:
        cur = conn.cursor()
        cur.execute("BEGIN")  # one snapshot for the log and the chain
        tables = {row[0] for row in cur.execute("SELECT name FROM sqlite_master")}
        events = "stored_events" if "stored_events" in tables else None
        yield ReadOnlyLog(cur, "?", events, "rowid", _live_ledger(cur, "?", tables))
    finally:
        conn.close()


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    """`mode=ro`; a copy whose directory or media is read-only may not even allow the
    shared-memory file a WAL reader needs: then `immutable=1` (nothing else writes a copy)."""
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as error:
            conn.close()
            failure = error
    raise AuditSetupError(f"cannot read the event store at {path}: {failure}")


@contextmanager
def _postgres_read_only(settings: Settings) -> Iterator[ReadOnlyLog]:
    try:
        conn = psycopg.connect(settings.database_url, connect_timeout=10)
    except psycopg.Error as error:
        raise AuditSetupError(f"cannot reach PostgreSQL: {error}") from None
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        cur = conn.cursor()
        schema = settings.database_schema
        cur.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        )
        tables = {row[0] for row in cur.fetchall()}
        if EVENTS_TABLE not in tables:
            raise AuditSetupError(f"no event store in PostgreSQL schema {schema!r}")
        ledger = _live_ledger(cur, "%s", tables)
        yield ReadOnlyLog(cur, "%s", EVENTS_TABLE, "notification_id", ledger)
    finally:
        conn.rollback()
        conn.close()


def _live_ledger(cur: Any, mark: str, tables: set[str]) -> str | None:
    if "projections" not in tables:
        return None
    cur.execute(
        f"SELECT version FROM projections WHERE name = {mark} AND live = 1", (AuditLedger.name,)
    )
    row = cur.fetchone()
    return table_name(AuditLedger.name, int(row[0])) if row else None


# --- the key and the checkpoint file --------------------------------------------------------


def audit_key(settings: Settings) -> bytes | None:
    """The checkpoint key from the settings or its file; None when neither is set."""
    key = settings.audit_key.get_secret_value()
    if not key and settings.audit_key_file is not None:
        try:
            key = settings.audit_key_file.read_text().strip()
        except OSError as error:
            raise AuditSetupError(f"cannot read the audit key file: {error}") from None
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise AuditSetupError(f"the audit key must have at least {MIN_KEY_LENGTH} characters")
    return key.encode()


def checkpoint_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line.strip()]


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable; the file is never opened for anything else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the NATS copy of the checkpoints -------------------------------------------------------


def audit_subject(stream: str) -> str:
    return f"{stream}.checkpoint"


async def _publish(url: str, stream: str, checkpoint: Checkpoint) -> None:
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        try:
            await js.stream_info(stream)
        except NotFoundError:  # messages of this stream cannot be deleted nor purged by the API
            config = StreamConfig(
                name=stream, subjects=[audit_subject(stream)], storage=StorageType.FILE,
                deny_delete=True, deny_purge=True,
            )  # fmt: skip
            await js.add_stream(config)
        msg_id = f"checkpoint-{checkpoint.position}-{checkpoint.at}"
        await js.publish(
            audit_subject(stream), checkpoint.line().encode(), stream=stream,
            headers={"Nats-Msg-Id": msg_id},
        )  # fmt: skip
    finally:
        await close_quietly(nc)


async def _read(url: str, stream: str) -> list[str]:
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        try:
            last = (await js.stream_info(stream)).state.last_seq
        except NotFoundError:
            return []
        lines: list[str] = []
        if not last:
            return lines
        sub = await js.pull_subscribe(
            audit_subject(stream), stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )  # fmt: skip
        sequence = 0
        while sequence < last:
            for msg in await sub.fetch(1000, timeout=5):
                lines.append(msg.data.decode())
                sequence = msg.metadata.sequence.stream or last
        return lines
    finally:
        await close_quietly(nc)


def publish_checkpoint(settings: Settings, checkpoint: Checkpoint) -> None:
    """A copy on the NATS stream when NATS is on: outside the database and the file's disk."""
    if settings.nats_url:
        asyncio.run(_publish(settings.nats_url, settings.audit_nats_stream, checkpoint))


def stream_lines(settings: Settings) -> list[str] | None:
    """The checkpoints on the NATS stream; None when NATS is off."""
    if not settings.nats_url:
        return None
    try:
        return asyncio.run(_read(settings.nats_url, settings.audit_nats_stream))
    except (OSError, TimeoutError, NatsError) as error:
        raise AuditSetupError(f"cannot read the checkpoint stream from NATS: {error!r}") from None


# --- the operations -------------------------------------------------------------------------


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
        append_checkpoint(self.path, checkpoint)
        self.last_position, self.last_time = checkpoint.position, self.clock()
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
