"""One connection to the hub's own store (SQLite file or PostgreSQL schema) for the
backbone's small tables: the relay's tracked positions, dead letters and parked commands."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


class StoreUnavailableError(Exception):
    """The store did not answer; the caller waits and tries again, it is not the message's fault."""


class Transaction:
    """The statements of one transaction; SQL is written once, with %s placeholders."""

    def __init__(self, cursor: sqlite3.Cursor | psycopg.Cursor[Any], placeholder: str) -> None:
        self._cursor = cursor
        self._placeholder = placeholder

    def execute(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._placeholder != "%s":
            query = query.replace("%s", self._placeholder)
        if isinstance(self._cursor, sqlite3.Cursor):
            self._cursor.execute(query, params)
        else:
            # The queries are this package's own constants, never user input.
            self._cursor.execute(sql.SQL(query), params)
        return list(self._cursor.fetchall()) if self._cursor.description else []

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class Database:
    """Opens lazily, reconnects after a failure, and maps connection errors to one type."""

    def __init__(self, target: str, schema: str = "supplyhub", timeout_seconds: int = 5) -> None:
        self.is_postgres = target.startswith(("postgresql://", "postgres://"))
        self._target = target
        self._schema = schema
        self._timeout = timeout_seconds
        self._conn: sqlite3.Connection | psycopg.Connection[Any] | None = None
        # One connection, used from worker threads too (asyncio.to_thread): one at a time.
        self._lock = threading.RLock()

    @classmethod
    def sqlite(cls, path: Path, timeout_seconds: int = 5) -> Database:
        return cls(str(path), timeout_seconds=timeout_seconds)

    # Column types and row locks that differ between the two dialects.
    @property
    def blob(self) -> str:
        return "BYTEA" if self.is_postgres else "BLOB"

    @property
    def serial_key(self) -> str:
        return "BIGSERIAL PRIMARY KEY" if self.is_postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"

    def lock(self, mode: str) -> str:
        """`FOR UPDATE` / `FOR SHARE` on PostgreSQL; SQLite locks the whole file instead."""
        return f" FOR {mode}" if self.is_postgres else ""

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock, self._translated_errors():
            conn = self._connection()
            if isinstance(conn, sqlite3.Connection):
                with _sqlite_transaction(conn) as cursor:
                    yield Transaction(cursor, "?")
            else:
                with conn.transaction(), conn.cursor() as cursor:
                    yield Transaction(cursor, "%s")

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except (psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError) as e:
            self.close()
            raise StoreUnavailableError(str(e)) from e

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection | psycopg.Connection[Any]:
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection | psycopg.Connection[Any]:
        if not self.is_postgres:
            lite = sqlite3.connect(
                self._target, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            _use_wal(lite, self._timeout)
            return lite
        conn = psycopg.connect(self._target, autocommit=True, connect_timeout=10)
        schema = sql.Identifier(self._schema)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        conn.execute(sql.SQL("SET search_path TO {}").format(schema))
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(f"{self._timeout}s")))
        return conn


def _use_wal(conn: sqlite3.Connection, timeout_seconds: float) -> None:
    """WAL mode, which the file keeps once set. Switching is refused at once, without the
    busy timeout, while another connection opens the same new file (a worker and the API
    starting together): retry for as long as a lock would be waited for."""
    deadline = time.monotonic() + timeout_seconds
    while conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def _sqlite_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    # IMMEDIATE takes the write lock up front, so a read-then-write cannot be overtaken.
    cursor = conn.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    try:
        yield cursor
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
