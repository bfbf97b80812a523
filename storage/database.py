"""The hub's database, SQLite file or PostgreSQL schema, for every layer that needs one: which
one a URL names, the event store's environment, the start-up DDL lock, the SQL dialect
differences, and `Database`, one connection for the backbone's small tables (the relay's
tracked positions, dead letters, parked commands, worker states)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    """Whether a database URL names PostgreSQL; anything else means the embedded SQLite file."""
    return url.startswith(POSTGRES_SCHEMES)


@dataclass(frozen=True)
class Dialect:
    """What SQL written once must change between SQLite and PostgreSQL."""

    mark: str  # the parameter placeholder
    blob: str  # the column type of bytes
    serial_key: str  # an auto-incremented primary key
    row_locks: bool  # SQLite locks the whole file instead

    def lock(self, mode: str) -> str:
        """` FOR UPDATE` / ` FOR SHARE` where rows can be locked, else nothing."""
        return f" FOR {mode}" if self.row_locks else ""

    def many(self, count: int) -> str:
        """`count` placeholders, comma-separated."""
        return ",".join([self.mark] * count)


SQLITE = Dialect("?", "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT", row_locks=False)
POSTGRES = Dialect("%s", "BYTEA", "BIGSERIAL PRIMARY KEY", row_locks=True)

# How events are stored and appended, named to the library by topic (its own way of choosing).
TRANSCODER = {"TRANSCODER_TOPIC": "storage.event_codec:OrjsonTranscoder"}
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo", **TRANSCODER}


@dataclass(frozen=True)
class StoreConfig:
    """Where the events live: `url` (PostgreSQL) or else the SQLite file `sqlite_path`."""

    url: str
    schema: str
    sqlite_path: Path
    lock_timeout_seconds: int
    pool_size: int

    @property
    def uses_postgres(self) -> bool:
        return is_postgres(self.url)


def event_store_env(store: StoreConfig) -> dict[str, str]:
    """The eventsourcing environment for the store (explicit, not os.environ): the library's
    recorder for SQLite, ours for PostgreSQL, and our transcoder on both."""
    if not store.uses_postgres:
        store.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(store.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": str(store.lock_timeout_seconds),
            **TRANSCODER,
        }
    url = urlsplit(store.url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": store.schema,
        "POSTGRES_LOCK_TIMEOUT": str(store.lock_timeout_seconds),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": str(store.pool_size),
        "POSTGRES_MAX_OVERFLOW": str(store.pool_size),
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "storage.recorder:BinaryInsertRecorder",
        **TRANSCODER,
    }


@contextmanager
def schema_lock(url: str, schema: str) -> Iterator[None]:
    """Start-up DDL one process at a time, and the schema created first.

    Every process creates what it needs on start (the library's tables, the views, the
    backbone's tables), and the library re-runs its DDL even when the tables exist. Run by
    several processes at once, as a deployment starts its API replicas and workers together,
    PostgreSQL's catalog updates collide ("tuple concurrently updated"). A session-level
    advisory lock, per schema, serialises them; SQLite serialises writers itself.
    """
    if not is_postgres(url):
        yield
        return
    key = f"supplyhub-ddl:{schema}"
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


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
        self.is_postgres = is_postgres(target)
        self.dialect = POSTGRES if self.is_postgres else SQLITE
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
        return self.dialect.blob

    @property
    def serial_key(self) -> str:
        return self.dialect.serial_key

    def lock(self, mode: str) -> str:
        """`FOR UPDATE` / `FOR SHARE` on PostgreSQL; SQLite locks the whole file instead."""
        return self.dialect.lock(mode)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock, self._translated_errors():
            conn = self._connection()
            if isinstance(conn, sqlite3.Connection):
                with _sqlite_transaction(conn) as cursor:
                    yield Transaction(cursor, SQLITE.mark)
            else:
                with conn.transaction(), conn.cursor() as cursor:
                    yield Transaction(cursor, POSTGRES.mark)

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
            return connect_sqlite(self._target, self._timeout)
        conn = psycopg.connect(self._target, autocommit=True, connect_timeout=10)
        schema = sql.Identifier(self._schema)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        conn.execute(sql.SQL("SET search_path TO {}").format(schema))
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(f"{self._timeout}s")))
        return conn


def connect_sqlite(path: str | Path, timeout_seconds: float) -> sqlite3.Connection:
    """A connection to the SQLite file in WAL mode, in autocommit (transactions begun by the
    caller), usable from any thread (callers serialise their own use)."""
    conn = sqlite3.connect(
        path, timeout=timeout_seconds, isolation_level=None, check_same_thread=False
    )
    _use_wal(conn, timeout_seconds)
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
