"""The event log and the views' tables, opened so that nothing can be written: SQLite `mode=ro`
(or `immutable=1` for a copy on read-only media), PostgreSQL a REPEATABLE READ READ ONLY
transaction; one snapshot for the log and the views, so `audit verify` works on a read-only
copy and cannot change what it checks."""

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

BATCH = 5000
EVENTS_TABLE = f"{SupplyHub.name.lower()}_events"  # the library's table on PostgreSQL


class UnreadableStoreError(Exception):
    """The store cannot be opened read-only (missing, unreachable, unreadable); nothing was read."""


class ReadOnlyLog:
    """The event log and the live views on one read-only snapshot."""

    def __init__(
        self, cur: Any, mark: str, events: str | None, position: str, tables: set[str]
    ) -> None:
        self.cur, self.mark, self.position, self.events_table = cur, mark, position, events
        self.tables = tables

    def events(self) -> Iterator[Notification]:
        """Every stored event in log order, its state as stored."""
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
                    topic=topic, state=state,
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

    def view(self, name: str) -> Iterator[tuple[str, str]]:
        """The (key, doc) rows of the live version of view `name`, in key order."""
        table = self._live_table(name)
        if table is None:
            return
        after = ""
        while True:
            self.cur.execute(
                f"SELECT key, doc FROM {table} WHERE key > {self.mark} ORDER BY key LIMIT {BATCH}",
                (after,),
            )
            rows = self.cur.fetchall()
            yield from rows
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    def last(self, name: str) -> tuple[str, str] | None:
        """The (key, doc) row of view `name` with the highest key; None when it has none."""
        table = self._live_table(name)
        if table is None:
            return None
        self.cur.execute(f"SELECT key, doc FROM {table} ORDER BY key DESC LIMIT 1")
        row = self.cur.fetchone()
        return (row[0], row[1]) if row else None

    def _live_table(self, name: str) -> str | None:
        """The live version's table, named as the view store names it (view_<name>_v<n>)."""
        if "projections" not in self.tables or not name.isidentifier():
            return None
        self.cur.execute(
            f"SELECT version FROM projections WHERE name = {self.mark} AND live = 1", (name,)
        )
        row = self.cur.fetchone()
        return f"view_{name}_v{int(row[0])}" if row else None


def _as_id(stored: Any) -> Any:
    """As the library reads it: SQLite keeps a UUID as hex text (the chain hashes the UUID)."""
    if isinstance(stored, str):
        try:
            return UUID(stored)
        except ValueError:
            return stored
    return stored


@contextmanager
def sqlite_read_only(path: Path) -> Iterator[ReadOnlyLog]:
    """The embedded store's file, opened read-only."""
    if not path.is_file():
        raise UnreadableStoreError(f"no event store at {path}")
    conn = _sqlite_connect(path)
    try:
        cur = conn.cursor()
        cur.execute("BEGIN")  # one snapshot for the log and the views
        tables = {row[0] for row in cur.execute("SELECT name FROM sqlite_master")}
        events = "stored_events" if "stored_events" in tables else None
        yield ReadOnlyLog(cur, "?", events, "rowid", tables)
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
    raise UnreadableStoreError(f"cannot read the event store at {path}: {failure}")


@contextmanager
def postgres_read_only(url: str, schema: str) -> Iterator[ReadOnlyLog]:
    """The PostgreSQL schema, in one read-only REPEATABLE READ transaction."""
    try:
        conn = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as error:
        raise UnreadableStoreError(f"cannot reach PostgreSQL: {error}") from None
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        cur = conn.cursor()
        cur.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        )
        tables = {row[0] for row in cur.fetchall()}
        if EVENTS_TABLE not in tables:
            raise UnreadableStoreError(f"no event store in PostgreSQL schema {schema!r}")
        yield ReadOnlyLog(cur, "%s", EVENTS_TABLE, "notification_id", tables)
    finally:
        conn.rollback()
        conn.close()
