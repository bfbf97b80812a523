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


def scopes(
    store: SqlViewStore, scope: str, supplier: str | None
) -> dict[tuple[str, str], tuple[KpiCounts, LatencyRanks | None]]:
    """(supplier, scope) -> the sums of its orders' counts, and its acknowledgement
    latencies ranked (their count, those within the SLA, and the values at the median's and
    the p90's ranks: only those rows come back), for every scope with an order. Both read
    in one snapshot."""
    mark = store.dialect.mark
    facts, params = _where("fact", scope, supplier, mark)
    # (as BIGINT: PostgreSQL sums BIGINTs as NUMERIC, which arrive as Decimals to convert)
    figures = ", ".join(f"CAST(SUM({name}) AS BIGINT)" for name in COUNTS)
    sums = (
        f"SELECT supplier, {scope}, {figures} FROM {{table}} WHERE {facts} "
        f"GROUP BY supplier, {scope}"
    )
    latencies, _ = _where("latency", scope, supplier, mark)
    by = f"PARTITION BY supplier, {scope}"
    ranks = (
        "SELECT supplier, scope, n, within, i, microseconds FROM ("
        f"SELECT supplier, {scope} AS scope, microseconds, "
        f"ROW_NUMBER() OVER ({by} ORDER BY microseconds) - 1 AS i, "
        f"COUNT(*) OVER ({by}) AS n, "
        f"CAST(SUM(CASE WHEN microseconds <= {_SLA} THEN 1 ELSE 0 END) OVER ({by}) AS BIGINT) "
        f"AS within FROM {{table}} WHERE {latencies}) ranked "
        "WHERE i = (n - 1) / 2 OR i = n / 2 OR i = (9 * n) / 10"
    )
    summed, ranked = store.figures("kpis", [(sums, params), (ranks, params)])
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    values: dict[tuple[str, str], dict[int, int]] = {}
    for supplier_id, place, count, within, rank, microseconds in ranked:
        counts[supplier_id, place] = (count, within)
        values.setdefault((supplier_id, place), {})[rank] = microseconds
    found: dict[tuple[str, str], tuple[KpiCounts, LatencyRanks | None]] = {}
    for row in summed:
        key = (row[0], row[1])
        latency = LatencyRanks(*counts[key], values[key]) if key in counts else None
        found[key] = (KpiCounts(*row[2:]), latency)
    return found


def _where(kind: str, scope: str, supplier: str | None, mark: str) -> tuple[str, list[Any]]:
    if scope not in SCOPES:
        raise ValueError(f"no KPI scope {scope!r}")
    where = f"kind = '{kind}' AND member = 1{SCOPES[scope]}"
    if supplier is None:
        return where, []
    return f"{where} AND supplier = {mark}", [supplier]
