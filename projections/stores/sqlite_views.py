"""The view writer on SQLite: view tables in the event store's own file, WAL, one
connection per thread; BEGIN IMMEDIATE serialises writers, so no row locks are needed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from projections.store_faults import store_fault
from projections.stores.view_store import Cursor, Session, SqlViewStore
from storage.database import connect_sqlite


class SqliteViewStore(SqlViewStore):
    def __init__(self, path: Path, busy_timeout_seconds: float = 10.0) -> None:
        super().__init__()
        self.path = path
        self.busy_timeout = busy_timeout_seconds
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_sqlite(self.path, self.busy_timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        conn = self._connection()
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield Session(_as_cursor(cur), self.dialect, self.columns)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        # One statement per read outside BEGIN: the live pointer and the table are read in two
        # statements, so a deferred transaction keeps them on the same snapshot.
        conn = self._connection()
        cur = conn.cursor()
        cur.execute("BEGIN")
        try:
            yield _as_cursor(cur)
        finally:
            conn.rollback()

    def write_fault(self) -> str:
        """Whether the file takes writes: take the write lock and let go at once, on a
        connection of its own. Busy (someone is writing) counts as writable."""
        conn = sqlite3.connect(self.path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            fault = store_fault(error)
            return fault.reason if fault is not None else ""
        finally:
            conn.close()
        return ""

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def _as_cursor(cur: sqlite3.Cursor) -> Cursor:
    found: Any = cur
    return found  # type: ignore[no-any-return]
