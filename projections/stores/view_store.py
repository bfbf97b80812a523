"""The view writer's common SQL: versioned view tables, the tracking table, reads and writes.

Each view version is its own table `view_<name>_v<N>`; the `projections` table holds one
row per (name, version) with its tracking position and whether it is the live one. The two
backends differ only in placeholders, locking and connection handling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from projections.projection import Column, Processor
from storage import view_codec
from storage.database import SQLITE


class TrackingError(Exception):
    """A tracking position was not newer than the stored one: the batch is refused."""


@dataclass(frozen=True)
class Tracked:
    name: str
    version: int
    position: int
    live: bool
    updated_at: datetime


@dataclass(frozen=True)
class Range:
    low: Any = None
    high: Any = None
    below: bool = False  # strictly below `high` (else up to it, as `low` is from it)


class Cursor(Protocol):
    rowcount: int
    description: Any

    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def executemany(self, query: Any, params_seq: Any) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_SQL_TYPES = {"text": "TEXT", "bool": "INTEGER", "int": "BIGINT"}


def table_name(name: str, version: int) -> str:
    if not _NAME.match(name):  # names become identifiers: keep them to a safe alphabet
        raise ValueError(f"bad projection name {name!r}")
    return f"view_{name}_v{version}"


class SqlDialect:
    """What differs between SQLite and PostgreSQL, for the shared statements below."""

    mark = SQLITE.mark
    for_update = SQLITE.lock("UPDATE")

    def many(self, count: int) -> str:
        return ",".join([self.mark] * count)

    def index_names(self, cur: Cursor, table: str) -> set[str]:
        query = f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = {self.mark}"
        cur.execute(query, (table,))
        return {str(row[0]) for row in cur.fetchall()}

    def one_of(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """A condition that `column` is one of `values`, and its parameters."""
        if not values:
            return "1 = 0", []
        return f"{column} IN ({self.many(len(values))})", values

    def load(self, cur: Cursor, table: str, keys: list[str]) -> dict[str, str]:
        """key -> doc of those rows that exist."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            cur.execute(
                f"SELECT key, doc FROM {table} WHERE key IN ({self.many(len(chunk))})", chunk
            )
            found.update(cur.fetchall())
        return found

    def upsert(
        self, cur: Cursor, table: str, columns: Sequence[Column], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert or replace rows (key, *columns, doc), keys distinct, in the open transaction."""
        names = ["key", *(c.name for c in columns), "doc"]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({self.many(len(names))}) "
            f"ON CONFLICT (key) DO UPDATE SET {updates}",
            rows,
        )


class RowsInTable:
    """`Rows` over one view table inside an open transaction."""

    def __init__(self, cur: Cursor, dialect: SqlDialect, table: str, columns: Sequence[Column]):
        self.cur, self.d, self.table, self.columns = cur, dialect, table, columns

    def load(self, keys: Iterable[str]) -> dict[str, str]:
        return self.d.load(self.cur, self.table, list(keys))

    def upsert(self, rows: Sequence[tuple[str, tuple[Any, ...], str]]) -> None:
        if rows:
            self.d.upsert(
                self.cur,
                self.table,
                self.columns,
                [(key, *(_sql_value(v) for v in cols), doc) for key, cols, doc in rows],
            )

    def last(self) -> tuple[str, str] | None:
        return _last_row(self.cur, self.table)


class Session:
    """The runner's transaction: tracking positions, view rows, the live switch."""

    def __init__(self, cur: Cursor, dialect: SqlDialect, columns: Mapping[str, Sequence[Column]]):
        self.cur, self.d, self.columns = cur, dialect, columns

    def live_positions(self) -> dict[str, tuple[int, int]]:
        """name -> (live version, position), locked until commit."""
        self.cur.execute(
            f"SELECT name, version, position FROM projections WHERE live = 1 "
            f"ORDER BY name{self.d.for_update}"
        )
        return {name: (version, position) for name, version, position in self.cur.fetchall()}

    def position(self, name: str, version: int) -> int:
        m = self.d.mark
        self.cur.execute(
            f"SELECT position FROM projections WHERE name = {m} AND version = {m}"
            f"{self.d.for_update}",
            (name, version),
        )
        return int(self.cur.fetchone()[0])

    def rows(self, name: str, version: int) -> RowsInTable:
        return RowsInTable(self.cur, self.d, table_name(name, version), self.columns[name])

    def advance(self, name: str, version: int, position: int) -> None:
        m = self.d.mark
        self.cur.execute(
            f"UPDATE projections SET position = {m}, updated_at = {m} "
            f"WHERE name = {m} AND version = {m} AND position < {m}",
            (position, _now(), name, version, position),
        )
        if self.cur.rowcount != 1:
            raise TrackingError(f"{name} v{version} is already at or past position {position}")

    def set_live(self, name: str, version: int) -> None:
        m = self.d.mark
        self.cur.execute(
            f"UPDATE projections SET live = CASE WHEN version = {m} THEN 1 ELSE 0 END "
            f"WHERE name = {m}",
            (version, name),
        )


class SqlViewStore:
    """Reads, schema and versions, over connections the backend subclass provides."""

    dialect = SqlDialect()

    def __init__(self) -> None:
        self.columns: dict[str, tuple[Column, ...]] = {}

    # --- backend hooks ---------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def write_fault(self) -> str:
        """Why the store refuses writes now, for /readyz; "" when it takes them."""
        return ""

    # --- schema and versions ---------------------------------------------------------------

    def prepare(self, processors: Iterable[Processor]) -> None:
        """Create the tracking table, and version 1 of every view that has none yet."""
        with self.transaction() as session:
            session.cur.execute(
                "CREATE TABLE IF NOT EXISTS projections (name TEXT NOT NULL, "
                "version INTEGER NOT NULL, position BIGINT NOT NULL, live INTEGER NOT NULL, "
                "updated_at TEXT NOT NULL, PRIMARY KEY (name, version))"
            )
        for processor in processors:
            self.register(processor)
            versions = [t.version for t in self.tracking() if t.name == processor.name]
            if not versions:
                self.new_version(processor, live=True)
            for version in versions:
                self._complete_columns(processor, version)

    def _complete_columns(self, processor: Processor, version: int) -> None:
        """A table made before a column was declared gets it, filled from each row's view
        (what the row would hold had it been written now), and an index declared since is
        made: a new filter column needs no rebuild of the view. Nothing happens when the
        table has every column and index."""
        table = table_name(processor.name, version)
        if not any(self._missing(processor, table)):
            return  # the usual case: read, no write lock taken
        with self.transaction() as session:
            cur = session.cur
            missing, unindexed = self._missing(processor, table, cur)  # again, under the lock
            for column in missing:
                kind = _SQL_TYPES[column.kind]
                cur.execute(f"ALTER TABLE {table} ADD COLUMN {column.name} {kind}")
            for column in unindexed:
                cur.execute(f"CREATE INDEX {table}_{column.name} ON {table} ({column.name})")
            if not missing:
                return
            row_columns = getattr(processor, "row_columns", None)
            if row_columns is None:
                return
            places = [i for i, c in enumerate(processor.columns) if c in missing]
            cur.execute(f"SELECT key, doc FROM {table}")
            rows = [
                (*(_sql_value(values[i]) for i in places), key)
                for key, doc in cur.fetchall()
                for values in (row_columns(view_codec.decode(doc)),)
            ]
            m = self.dialect.mark
            assignments = ", ".join(f"{missing_column.name} = {m}" for missing_column in missing)
            if rows:
                cur.executemany(f"UPDATE {table} SET {assignments} WHERE key = {m}", rows)

    def _missing(
        self, processor: Processor, table: str, cur: Cursor | None = None
    ) -> tuple[list[Column], list[Column]]:
        """The declared columns the table lacks, and the indexed ones without their index."""

        def missing(cur: Cursor) -> tuple[list[Column], list[Column]]:
            cur.execute(f"SELECT * FROM {table} LIMIT 0")
            present = {str(column[0]) for column in cur.description}
            indexes = self.dialect.index_names(cur, table)
            return (
                [c for c in processor.columns if c.name not in present],
                [c for c in processor.columns if c.indexed and f"{table}_{c.name}" not in indexes],
            )

        if cur is not None:
            return missing(cur)
        with self._reading() as reading:
            return missing(reading)

    def register(self, processor: Processor) -> None:
        """Know a view's columns, without touching the schema (for a process that writes
        into a version another one created: a part of a rebuild)."""
        self.columns[processor.name] = processor.columns

    def new_version(self, processor: Processor, live: bool = False) -> int:
        """A new, empty version of a view beside the others, tracking from position 0."""
        self.register(processor)
        with self.transaction() as session:
            m = self.dialect.mark
            session.cur.execute(
                f"SELECT COALESCE(MAX(version), 0) FROM projections WHERE name = {m}",
                (processor.name,),
            )
            version = int(session.cur.fetchone()[0]) + 1
            table = table_name(processor.name, version)
            columns = "".join(f", {c.name} {_SQL_TYPES[c.kind]}" for c in processor.columns)
            session.cur.execute(f"DROP TABLE IF EXISTS {table}")
            session.cur.execute(
                f"CREATE TABLE {table} (key TEXT PRIMARY KEY{columns}, doc TEXT NOT NULL)"
            )
            for column in (c for c in processor.columns if c.indexed):
                session.cur.execute(
                    f"CREATE INDEX {table}_{column.name} ON {table} ({column.name})"
                )
            session.cur.execute(
                f"INSERT INTO projections VALUES ({self.dialect.many(5)})",
                (processor.name, version, 0, int(live), _now()),
            )
        return version

    def drop_version(self, name: str, version: int) -> None:
        with self.transaction() as session:
            m = self.dialect.mark
            session.cur.execute(
                f"DELETE FROM projections WHERE name = {m} AND version = {m}", (name, version)
            )
            session.cur.execute(f"DROP TABLE IF EXISTS {table_name(name, version)}")

    def load(self, name: str, version: int, keys: list[str]) -> dict[str, str]:
        """key -> doc of those rows of one version that exist (committed)."""
        with self._reading() as cur:
            return self.dialect.load(cur, table_name(name, version), keys)

    def last_of(self, name: str, version: int) -> tuple[str, str] | None:
        """The committed row with the highest key of one version."""
        with self._reading() as cur:
            return _last_row(cur, table_name(name, version))

    def tracking(self) -> list[Tracked]:
        with self._reading() as cur:
            cur.execute(
                "SELECT name, version, position, live, updated_at FROM projections "
                "ORDER BY name, version"
            )
            return [
                Tracked(n, v, p, bool(live), datetime.fromisoformat(at))
                for n, v, p, live, at in cur.fetchall()
            ]

    # --- reads against the live version ----------------------------------------------------

    def get(self, name: str, key: str) -> str | None:
        rows = self.select(name, {"key": key}, limit=1)
        return rows[0] if rows else None

    def select(
        self,
        name: str,
        equals: Mapping[str, Any],
        ranges: Mapping[str, Range] | None = None,
        order: str | tuple[str, ...] | None = None,
        after: Any = None,
        limit: int | None = None,
    ) -> list[str]:
        """Docs of the live version matching the filters, in `order`, after a cursor value
        (for an order of several columns, a tuple compared as a row value). A filter value
        that is a list, tuple or set is "one of these"."""
        m = self.dialect.mark
        where, params = self._where(equals, ranges)
        columns = (order,) if isinstance(order, str) else order or ()
        listed = ", ".join(_column(column) for column in columns)
        if columns and after is not None:
            values = (after,) if isinstance(order, str) else tuple(after)
            where.append(f"({listed}) > ({', '.join(m for _ in values)})")
            params.extend(values)
        tail = f" ORDER BY {listed}" if columns else ""
        if limit is not None:
            tail += f" LIMIT {int(limit)}"
        rows = self._live_rows(name, "doc", f"WHERE {' AND '.join(where)}{tail}", params)
        return [row[0] for row in rows]

    def count(
        self,
        name: str,
        equals: Mapping[str, Any],
        ranges: Mapping[str, Range] | None = None,
        total: str | None = None,
    ) -> int:
        """How many rows of the live version match the filters (or the sum of the integer
        column `total` over them), in one statement."""
        where, params = self._where(equals, ranges)
        what = f"COALESCE(SUM({_column(total)}), 0)" if total else "COUNT(*)"
        rows = self._live_rows(name, what, f"WHERE {' AND '.join(where)}", params)
        return int(rows[0][0])

    def get_many(self, name: str, keys: list[str]) -> dict[str, str]:
        """key -> doc of those rows of the live version that exist, in one statement."""
        if not keys:
            return {}
        where, params = self._where({"key": keys}, None)
        rows = self._live_rows(name, "key, doc", f"WHERE {where[1]}", params)
        return {row[0]: row[1] for row in rows}

    def _where(
        self, equals: Mapping[str, Any], ranges: Mapping[str, Range] | None
    ) -> tuple[list[str], list[Any]]:
        m = self.dialect.mark
        where, params = ["1 = 1"], []
        for column, value in equals.items():
            if isinstance(value, list | tuple | set | frozenset):
                condition, values = self.dialect.one_of(_column(column), list(value))
                where.append(condition)
                params.extend(values)
                continue
            where.append(f"{_column(column)} = {m}")
            params.append(_sql_value(value))
        for column, bounds in (ranges or {}).items():
            if bounds.low is not None:
                where.append(f"{_column(column)} >= {m}")
                params.append(bounds.low)
            if bounds.high is not None:
                where.append(f"{_column(column)} {'<' if bounds.below else '<='} {m}")
                params.append(bounds.high)
        return where, params

    def _live_rows(self, name: str, what: str, rest: str, params: list[Any]) -> list[Any]:
        # The live version can change between resolving it and reading it: one retry.
        for attempt in (1, 2):
            with self._reading() as cur:
                table = self._live_table(cur, name)
                try:
                    cur.execute(f"SELECT {what} FROM {table} {rest}", params)
                    return list(cur.fetchall())
                except Exception:
                    if attempt == 2:
                        raise
        return []

    def figures(
        self, name: str, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """The rows of read-only statements over the live version of a view, named `{table}`
        in them, all from one snapshot (sums and ranks a view keeps its rows for, as the
        KPIs' do)."""
        for attempt in (1, 2):  # the live version may change between resolving and reading
            with self._reading() as cur:
                table = self._live_table(cur, name)
                try:
                    found = []
                    for statement, params in statements:
                        cur.execute(statement.format(table=table), params)
                        found.append(cur.fetchall())
                    return found
                except Exception:
                    if attempt == 2:
                        raise
        return []

    def scan(self, name: str, after: str, limit: int) -> list[tuple[str, str]]:
        """Rows of the live version in key order, for ledger verification."""
        with self._reading() as cur:
            table = self._live_table(cur, name)
            cur.execute(
                f"SELECT key, doc FROM {table} WHERE key > {self.dialect.mark} "
                f"ORDER BY key LIMIT {int(limit)}",
                (after,),
            )
            return [(row[0], row[1]) for row in cur.fetchall()]

    def last(self, name: str) -> tuple[str, str] | None:
        """The row with the highest key of the live version (the ledger's head)."""
        with self._reading() as cur:
            return _last_row(cur, self._live_table(cur, name))

    def scan_all(self, name: str, batch: int = 5000) -> Iterator[tuple[str, str]]:
        after = ""
        while rows := self.scan(name, after, batch):
            yield from rows
            after = rows[-1][0]

    def _live_table(self, cur: Cursor, name: str) -> str:
        m = self.dialect.mark
        cur.execute(f"SELECT version FROM projections WHERE name = {m} AND live = 1", (name,))
        row = cur.fetchone()
        if row is None:
            raise LookupError(f"no live version of projection {name!r}")
        return table_name(name, int(row[0]))


def _last_row(cur: Cursor, table: str) -> tuple[str, str] | None:
    cur.execute(f"SELECT key, doc FROM {table} ORDER BY key DESC LIMIT 1")
    row = cur.fetchone()
    return (row[0], row[1]) if row else None


def _column(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"bad column {name!r}")
    return name


def _sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _now() -> str:
    return datetime.now(UTC).isoformat()
