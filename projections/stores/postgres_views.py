"""The view writer on PostgreSQL: view tables in the event store's schema, a small pool,
row locks on the tracking rows so concurrent runners and a rebuild's switch serialise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg_pool import ConnectionPool

from projections.projection import Column
from projections.store_faults import READ_ONLY
from projections.stores.view_store import Cursor, Session, SqlDialect, SqlViewStore
from storage.database import POSTGRES

_ARRAY_TYPES = {"text": "text", "bool": "int", "int": "bigint"}


def views_channel(schema: str) -> str:
    """The channel every commit of the views notifies (its payload empty: a listener reads
    the views' position), one per schema, as hubs may share a database."""
    return f"{schema}_views"[:63]  # PostgreSQL's identifier limit


class PostgresDialect(SqlDialect):
    mark = POSTGRES.mark
    for_update = POSTGRES.lock("UPDATE")

    def index_names(self, cur: Cursor, table: str) -> set[str]:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s",
            (table,),
        )
        return {str(row[0]) for row in cur.fetchall()}

    def one_of(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """One array parameter, whatever the count: one statement text to plan."""
        if not values:
            return super().one_of(column, values)
        return f"{column} = ANY({self.mark})", [values]

    def load(self, cur: Cursor, table: str, keys: list[str]) -> dict[str, str]:
        """One short statement with the keys as one array: a statement with a placeholder
        per key was new text to parse for every batch (6 % of a rebuild's main thread)."""
        if not keys:
            return {}
        cur.execute(f"SELECT key, doc FROM {table} WHERE key = ANY(%b::text[])", (keys,))
        return dict(cur.fetchall())

    def upsert(
        self, cur: Cursor, table: str, columns: Sequence[Column], rows: list[tuple[Any, ...]]
    ) -> None:
        """One statement whatever the row count: each column goes as one array parameter
        (executemany sent a statement per row, most of a rebuild's writing time)."""
        names = ["key", *(c.name for c in columns), "doc"]
        kinds = ["text", *(_ARRAY_TYPES[c.kind] for c in columns), "text"]
        arrays = ", ".join(f"%b::{kind}[]" for kind in kinds)
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        cur.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT (key) DO UPDATE SET {updates}",
            [list(values) for values in zip(*rows, strict=True)],
        )


class PostgresViewStore(SqlViewStore):
    dialect = PostgresDialect()

    def __init__(self, url: str, schema: str, pool_size: int = 4) -> None:
        super().__init__()
        self.channel = views_channel(schema)
        self._notify = 'NOTIFY "{}"'.format(self.channel.replace('"', '""'))
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={
                "options": f"-c search_path={schema}",
                "connect_timeout": 10,
                "autocommit": True,
            },
            open=True,
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield Session(_as_cursor(cur), self.dialect, self.columns)
            # Delivered when the transaction commits, never for one rolled back: an API process
            # beside separate workers wakes its live feed on it (supplyhub/live_views.py).
            cur.execute(self._notify)

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        # REPEATABLE READ: the live pointer and the table rows come from one snapshot.
        with self.pool.connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                with conn.cursor() as cur:
                    yield _as_cursor(cur)
            finally:
                conn.execute("ROLLBACK")

    def write_fault(self) -> str:
        """A replica or a database set read-only refuses writes; "" when it takes them."""
        with self.pool.connection() as conn:
            row = conn.execute("SHOW transaction_read_only").fetchone()
        return READ_ONLY.reason if row and row[0] == "on" else ""

    def close(self) -> None:
        self.pool.close()


def _as_cursor(cur: Any) -> Cursor:
    return cur  # type: ignore[no-any-return]
