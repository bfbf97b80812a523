"""The event log and the recorded audit chain, opened so that nothing can be written: SQLite
`mode=ro` (or `immutable=1` for a copy on read-only media), PostgreSQL a REPEATABLE READ READ
ONLY transaction; one snapshot for both, so `audit verify` works on a read-only copy and
cannot change what it checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification
from psycopg import sql

from domain.application import SupplyHub
from projections.audit_ledger import AuditLedger, stored_bytes
from projections.view_store import table_name
from supplyhub.settings import Settings

BATCH = 5000
EVENTS_TABLE = f"{SupplyHub.name.lower()}_events"  # the library's table on PostgreSQL


class AuditSetupError(Exception):
    """The audit cannot run as configured (no store, no key, a bad key); nothing was read."""


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
                    topic=topic, state=stored_bytes(state),
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
