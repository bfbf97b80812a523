"""The KPIs' SQL, the same on SQLite and PostgreSQL: sums of the `kpis` view's fact rows and
ranks of its latency rows, per supplier and scope (a plant, or the day or the week of
release over all plants). See `projections/views/supplier_kpis.py` for the rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.service_levels import ACK_SLA, KpiCounts, LatencyRanks
from projections.stores.view_store import SqlViewStore
from projections.views.supplier_kpis import COUNTS

# The scope each query groups by, with the rows it reads.
SCOPES = {"plant": "", "day": " AND plant = ''", "week": " AND plant = ''"}
_SLA = ACK_SLA // timedelta(microseconds=1)


def sums(store: SqlViewStore, scope: str, supplier: str | None) -> dict[tuple[str, str], KpiCounts]:
    """(supplier, scope) -> the sums of its orders' counts, for every scope with an order."""
    where, params = _where("fact", scope, supplier, store.dialect.mark)
    # (as BIGINT: PostgreSQL sums BIGINTs as NUMERIC, which arrive as Decimals to convert)
    figures = ", ".join(f"CAST(SUM({name}) AS BIGINT)" for name in COUNTS)
    rows = store.figures(
        "kpis",
        f"SELECT supplier, {scope}, {figures} FROM {{table}} WHERE {where} "
        f"GROUP BY supplier, {scope}",
        params,
    )
    return {(row[0], row[1]): KpiCounts(*row[2:]) for row in rows}


def latency_ranks(
    store: SqlViewStore, scope: str, supplier: str | None
) -> dict[tuple[str, str], LatencyRanks]:
    """(supplier, scope) -> its latencies' count, those within the SLA, and the values at
    the median's and the p90's ranks (ranked in SQL: only those rows come back)."""
    where, params = _where("latency", scope, supplier, store.dialect.mark)
    by = f"PARTITION BY supplier, {scope}"
    rows = store.figures(
        "kpis",
        "SELECT supplier, scope, n, within, i, microseconds FROM ("
        f"SELECT supplier, {scope} AS scope, microseconds, "
        f"ROW_NUMBER() OVER ({by} ORDER BY microseconds) - 1 AS i, "
        f"COUNT(*) OVER ({by}) AS n, "
        f"CAST(SUM(CASE WHEN microseconds <= {_SLA} THEN 1 ELSE 0 END) OVER ({by}) AS BIGINT) "
        "AS within "
        f"FROM {{table}} WHERE {where}) ranked "
        "WHERE i = (n - 1) / 2 OR i = n / 2 OR i = (9 * n) / 10",
        params,
    )
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    values: dict[tuple[str, str], dict[int, int]] = {}
    for supplier_id, place, count, within, rank, microseconds in rows:
        counts[supplier_id, place] = (count, within)
        values.setdefault((supplier_id, place), {})[rank] = microseconds
    return {key: LatencyRanks(*counts[key], values[key]) for key in counts}


def _where(kind: str, scope: str, supplier: str | None, mark: str) -> tuple[str, list[Any]]:
    if scope not in SCOPES:
        raise ValueError(f"no KPI scope {scope!r}")
    where = f"kind = '{kind}' AND member = 1{SCOPES[scope]}"
    if supplier is None:
        return where, []
    return f"{where} AND supplier = {mark}", [supplier]
