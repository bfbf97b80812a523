"""The KPIs as the hub computed them before the KPI projection: every purchase order view
decoded and folded at query time. Kept as the oracle the projection's figures must equal."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from projections.read_models import KpiPeriod, PurchaseOrderView, SupplierKpis
from projections.service_levels import ACK_SLA


def kpis(views: Iterable[PurchaseOrderView]) -> tuple[SupplierKpis, ...]:
    """Per supplier over all plants (plant ""), and per supplier and plant."""
    facts: dict[tuple[str, str], _Facts] = defaultdict(_Facts)
    for po in views:
        plants = {line.ship_to for line in po.lines}
        for scope in [(po.supplier, "")] + [(po.supplier, plant) for plant in sorted(plants)]:
            facts[scope].add(po)
    return tuple(facts[scope].kpis(*scope) for scope in sorted(facts))


def kpi_series(views: Iterable[PurchaseOrderView], period: str) -> tuple[KpiPeriod, ...]:
    """Per supplier (all plants) and per day or week (from its Monday) of each order's
    release: the same figures as `kpis`, over the orders released in that period."""
    facts: dict[tuple[str, date], _Facts] = defaultdict(_Facts)
    for po in views:
        day = po.released_at.date()
        start = day if period == "day" else day - timedelta(days=day.weekday())
        facts[(po.supplier, start)].add(po)
    return tuple(
        KpiPeriod(start, facts[(supplier, start)].kpis(supplier, ""))
        for supplier, start in sorted(facts)
    )


class _Facts:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.asns = self.asns_on_time = 0
        self.receipts = self.receipts_with_asn = self.variances = 0
        self.invoices = self.exceptions = self.touchless = 0

    def add(self, po: PurchaseOrderView) -> None:
        for revision in po.revisions:
            answers = [
                a.at for a in po.acknowledgements if a.revision == revision.revision and not a.stale
            ]
            if answers:
                self.latencies.append((min(answers) - revision.recorded_at).total_seconds() / 3600)
        need_by = {line.line_number: line.need_by for line in po.lines}
        for asn in po.shipments:
            lines = [q[1] for q in asn.quantities if q[0] == po.number and q[1] in need_by]
            self.asns += 1
            self.asns_on_time += all(asn.expected_delivery <= need_by[n] for n in lines)
        for receipt in po.receipts:
            self.receipts += 1
            self.receipts_with_asn += bool(receipt.asn_number)
            self.variances += receipt.has_variance
        for invoice in po.invoices:
            self.invoices += 1
            troubled = invoice.match_status == "blocked" or invoice.duplicate_submissions > 0
            self.exceptions += troubled or bool(invoice.block_reasons)
            self.touchless += (
                not troubled and invoice.status != "disputed" and not (invoice.block_reasons)
            )

    def kpis(self, supplier: str, plant: str) -> SupplierKpis:
        lat = sorted(self.latencies)
        return SupplierKpis(
            supplier=supplier,
            plant=plant,
            ack_latency_median_hours=statistics.median(lat) if lat else None,
            ack_latency_p90_hours=lat[min(len(lat) - 1, int(0.9 * len(lat)))] if lat else None,
            ack_within_sla_share=_share(
                sum(h <= ACK_SLA.total_seconds() / 3600 for h in lat), len(lat)
            ),
            asn_on_time_share=_share(self.asns_on_time, self.asns),
            asn_completeness_share=_share(self.receipts_with_asn, self.receipts),
            receipt_variance_rate=_share(self.variances, self.receipts),
            invoice_exception_rate=_share(self.exceptions, self.invoices),
            touchless_invoice_rate=_share(self.touchless, self.invoices),
        )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
