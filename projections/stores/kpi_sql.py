"""The KPIs' SQL, the same on SQLite and PostgreSQL: sums of the `kpis` view's fact rows and
ranks of its latency rows, per supplier and scope (a plant, or the day or the week of
release over all plants), one row a scope. See `projections/views/supplier_kpis.py` for
the rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from projections.service_levels import ACK_SLA, RANKS, KpiCounts, LatencyRanks
from projections.stores.view_store import SqlViewStore
from projections.views.supplier_kpis import COUNTS

# The scope each query groups by, with the rows it reads.
SCOPES = {"plant": "", "day": " AND plant = ''", "week": " AND plant = ''"}
_SLA = ACK_SLA // timedelta(microseconds=1)
Scope = tuple[str, str, KpiCounts, LatencyRanks | None]


def scopes(
    store: SqlViewStore, scope: str, supplier: str | None, days: tuple[date, date] | None = None
) -> list[Scope]:
    """(supplier, scope, the sums of its orders' counts, its acknowledgement latencies
    ranked) for every scope with an order released in `days` (first, last; None: every
    day), sorted by supplier and scope. Two statements in one snapshot, each one row a
    scope: the sums; and the latencies' count, those within the SLA and the values at the
    median's and the p90's ranks, picked in SQL."""
    mark = store.dialect.mark
    facts, params = _where("fact", scope, supplier, days, mark)
    latencies, _ = _where("latency", scope, supplier, days, mark)
    # SUM of an INTEGER: PostgreSQL sums BIGINTs as NUMERIC, slower (and arriving as
    # Decimals); one order's counts are small.
    figures = ", ".join(f"SUM(CAST({name} AS INTEGER))" for name in COUNTS)
    sums = (
        f"SELECT supplier, {scope}, {figures} FROM {{table}} WHERE {facts} "
        f"GROUP BY supplier, {scope}"
    )
    by = f"PARTITION BY supplier, {scope}"
    picked = ", ".join(f"MAX(CASE WHEN i = {rank} THEN microseconds END)" for rank in RANKS)
    ranks = (  # (the same window work as one row a rank; then the three side by side)
        f"SELECT supplier, scope, MAX(n), MAX(within), {picked} FROM ("
        f"SELECT supplier, {scope} AS scope, microseconds, "
        f"ROW_NUMBER() OVER ({by} ORDER BY microseconds) - 1 AS i, "
        f"COUNT(*) OVER ({by}) AS n, "
        f"SUM(CASE WHEN microseconds <= {_SLA} THEN 1 ELSE 0 END) OVER ({by}) AS within "
        f"FROM {{table}} WHERE {latencies}) ranked "
        f"WHERE {' OR '.join(f'i = {rank}' for rank in RANKS)} GROUP BY supplier, scope"
    )
    summed, ranked = store.figures("kpis", [(sums, params), (ranks, params)])
    latency = {(row[0], row[1]): LatencyRanks(*row[2:]) for row in ranked}
    found = [(row[0], row[1], KpiCounts(*row[2:]), latency.get((row[0], row[1]))) for row in summed]
    found.sort(key=_scope_key)  # (in Python: SQL would sort by the database's collation)
    return found


def newest_day(store: SqlViewStore) -> date | None:
    """The newest day of release of any order (every row with a day is an order's: its
    state, facts and latencies; links have none): the day index's last entry."""
    (rows,) = store.figures("kpis", [("SELECT MAX(day) FROM {table}", ())])
    newest = rows[0][0] if rows else None
    return date.fromisoformat(newest) if newest else None


def _scope_key(scope: Scope) -> tuple[str, str]:
    return scope[0], scope[1]


def _where(
    kind: str, scope: str, supplier: str | None, days: tuple[date, date] | None, mark: str
) -> tuple[str, list[Any]]:
    if scope not in SCOPES:
        raise ValueError(f"no KPI scope {scope!r}")
    where = f"kind = '{kind}' AND member = 1{SCOPES[scope]}"
    params: list[Any] = []
    if supplier is not None:
        where += f" AND supplier = {mark}"
        params.append(supplier)
    if days is not None:  # (ISO days sort as text as they do as days: the index serves it)
        # As literals (a date's isoformat is digits and dashes): with parameters, PostgreSQL
        # reuses one generic plan for every window once the statement is prepared, and the
        # one it picks for the narrow default windows (the day index) walks the whole table
        # in index order for a window of years: 2-3x slower than reading by kind.
        first, last = (day.isoformat() for day in days)
        where += f" AND day >= '{first}' AND day <= '{last}'"
    return where, params
