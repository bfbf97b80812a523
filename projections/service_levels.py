"""Alerts over the purchase order views, and the KPIs' figures from the sums and ranks the KPI
projection keeps (`views/supplier_kpis.py`); time is an argument, never read here.

The service levels live in one place: a revision must be acknowledged within ACK_SLA of its
release; an ASN is missing once a line's need-by date is ASN_LEAD away and nothing shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from domain.errors import ValidationError
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
# The window a series shows when none is asked: this many periods up to the newest release.
DEFAULT_SPAN = {"day": 90, "week": 52}


@dataclass(frozen=True)
class KpiCounts:
    """What orders contribute to their KPIs, as counts that add up: one order's in a fact
    row of the KPI projection (`views/supplier_kpis.py`, which adds its membership), and a
    scope's sums of those rows."""

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
    SLA, and the values (microseconds) at the ranks a median and a p90 read (`RANKS`)."""

    total: int
    within_sla: int
    median_low: int
    median_high: int
    p90: int


# The ranks (from 0, ascending) of the two middle values and of the p90 among n latencies,
# as SQL integer arithmetic (9n/10 is int(0.9 * n), the old computation's, for any count).
RANKS = ("(n - 1) / 2", "n / 2", "(9 * n) / 10")


def supplier_kpis(
    supplier: str, plant: str, counts: KpiCounts, latency: LatencyRanks | None
) -> SupplierKpis:
    """The figures of one scope, from its sums and its ranked latencies."""
    median = p90 = within = None
    if latency is not None and latency.total:
        # statistics.median's: the mean of the middle two, or the middle one ((x + x) / 2
        # is x exactly in floating point)
        median = (_hours(latency.median_low) + _hours(latency.median_high)) / 2
        p90 = _hours(latency.p90)
        within = _share(latency.within_sla, latency.total)
    return built(  # (without __init__: a series builds hundreds)
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


def series_days(
    period: str, newest: date | None, since: date | None, until: date | None
) -> tuple[date, date] | None:
    """The release days (first, last) whose orders a series over [since, until] reads, or
    None when there is nothing to read. A week is whole when any of its days is in the
    window. Left open, the window ends on the newest release (None: no order yet) and
    spans DEFAULT_SPAN periods back from its end."""
    check_period(period)
    if since is not None and until is not None and since > until:
        raise ValidationError("from", f"must be on or before to ({until}), not {since}")
    if until is None:
        if newest is None:
            return None
        until = newest if since is None else max(newest, since)
    if since is None:
        back = DEFAULT_SPAN[period] - 1
        since = _moved(until, -back if period == "day" else -7 * back)
    if period == "day":
        return since, until
    return week_of(since), _moved(week_of(until), 6)


def _moved(day: date, days: int) -> date:
    """`day` moved by `days`, kept in the calendar (a window may be asked up to its ends)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def week_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def _hours(microseconds: int) -> float:
    # As timedelta.total_seconds() / 3600 computes it, so the figures are the same floats.
    return microseconds / 10**6 / 3600


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
