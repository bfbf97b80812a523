"""Alerts over the purchase order views, and the KPIs' figures from the sums and ranks the KPI
projection keeps (`views/supplier_kpis.py`); time is an argument, never read here.

The service levels live in one place: a revision must be acknowledged within ACK_SLA of its
release; an ASN is missing once a line's need-by date is ASN_LEAD away and nothing shipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from projections.read_models import Alert, LineView, PurchaseOrderView, SupplierKpis
from storage.view_codec import built

ACK_SLA = timedelta(hours=48)
ASN_LEAD = timedelta(days=2)


def ack_due(po: PurchaseOrderView) -> datetime | None:
    """When the current revision's acknowledgement falls due; None when none is awaited."""
    if po.status != "open" or not po.needs_action:
        return None
    released = po.revisions[-1].recorded_at if po.revisions else po.released_at
    return released + ACK_SLA


def asn_cutoff(line: LineView) -> datetime:
    """When a line's ASN is missing: ASN_LEAD before its need-by day (UTC)."""
    return datetime.combine(line.need_by, datetime.min.time(), UTC) - ASN_LEAD


def waits_for_asn(line: LineView) -> bool:
    return line.ack_status != "rejected" and line.shipped_quantity == 0 == line.received_quantity


def asn_due(po: PurchaseOrderView) -> datetime | None:
    """The earliest cutoff of the order's lines still waiting for an ASN; None when none is."""
    if po.status != "open":
        return None
    return min((asn_cutoff(line) for line in po.lines if waits_for_asn(line)), default=None)


def alerts(views: Iterable[PurchaseOrderView], now: datetime) -> tuple[Alert, ...]:
    """Revisions unacknowledged past their SLA, and ASNs missing past their cutoff."""
    found: list[Alert] = []
    for po in views:
        document = f"po:{po.number}"
        if (due := ack_due(po)) is not None and now > due:
            hours = (now - (due - ACK_SLA)).total_seconds() / 3600
            detail = f"revision {po.revision} unacknowledged for {hours:.0f} h"
            found.append(Alert("unacknowledged_revision", document, po.supplier, due, detail))
        if po.status != "open":
            continue
        for line in po.lines:
            if waits_for_asn(line) and now > (cutoff := asn_cutoff(line)):
                detail = f"line {line.line_number} needed by {line.need_by}, no ASN"
                found.append(Alert("asn_missing", document, po.supplier, cutoff, detail))
    return tuple(sorted(found, key=lambda a: (a.since, a.document, a.detail)))


PERIODS = ("day", "week")


class KpiCounts(NamedTuple):
    """A scope's sums of the KPI projection's fact rows (`views/supplier_kpis.py`); a named
    tuple, as thousands are made per day series."""

    asns: int
    asns_on_time: int
    receipts: int
    receipts_with_asn: int
    receipt_variances: int
    invoices: int
    invoice_exceptions: int
    touchless: int


class LatencyRanks(NamedTuple):
    """A scope's acknowledgement latencies as ranked in SQL: how many, how many within the
    SLA, and the ones at the ranks a median and a p90 need (rank from 0 -> microseconds)."""

    total: int
    within_sla: int
    at: Mapping[int, int]


def median_ranks(count: int) -> tuple[int, int, int]:
    """The ranks (from 0, in ascending order) the median (two of them) and the p90 read."""
    return (count - 1) // 2, count // 2, min(count - 1, int(0.9 * count))


def supplier_kpis(
    supplier: str, plant: str, counts: KpiCounts, latency: LatencyRanks | None
) -> SupplierKpis:
    """The figures of one scope, from its sums and its ranked latencies."""
    median = p90 = within = None
    if latency is not None and latency.total:
        low, high, p90_rank = median_ranks(latency.total)
        median = (_hours(latency.at[low]) + _hours(latency.at[high])) / 2
        if low == high:  # (statistics.median's answer for an odd count: the middle value)
            median = _hours(latency.at[low])
        p90 = _hours(latency.at[p90_rank])
        within = _share(latency.within_sla, latency.total)
    return built(  # (without __init__: the day series builds thousands)
        SupplierKpis,
        supplier=supplier,
        plant=plant,
        ack_latency_median_hours=median,
        ack_latency_p90_hours=p90,
        ack_within_sla_share=within,
        asn_on_time_share=_share(counts.asns_on_time, counts.asns),
        asn_completeness_share=_share(counts.receipts_with_asn, counts.receipts),
        receipt_variance_rate=_share(counts.receipt_variances, counts.receipts),
        invoice_exception_rate=_share(counts.invoice_exceptions, counts.invoices),
        touchless_invoice_rate=_share(counts.touchless, counts.invoices),
    )


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return period


def _hours(microseconds: int) -> float:
    # As timedelta.total_seconds() / 3600 computes it, so the figures are the same floats.
    return microseconds / 10**6 / 3600


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
