"""The KPI projection: what each purchase order contributes to its supplier's KPIs, kept as
rows the queries add up in SQL (`projections/stores/kpi_sql.py`), never decoded to answer.

Per order it keeps a small state (`KpiOrder`: its lines' need-by dates and plants, each
revision's first answer, its ASNs, receipts and invoices) evolved by the events below, and
writes from it, at every change, the rows the figures are summed from:

- one *fact* row per order and scope (plant "" for all plants, and each plant its lines
  ever shipped to; `member` 0 once no line ships there): counts that add up exactly (ASNs
  and those on time, receipts with an ASN and with a variance, invoices, exceptions,
  touchless), with the supplier, the day of release (UTC) and its ISO week (from Monday);
- one *latency* row per order, scope and answered revision: the acknowledgement latency in
  microseconds. A median cannot be summed, so the rows are kept and ranked in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import domain.goods_receipt
import domain.invoice
import domain.purchase_order
import domain.shipment
from projections.projection import CarriesViews, Column, Lookup, Projection, Rows
from projections.read_models import InvoiceView
from projections.records import Record
from projections.service_levels import KpiCounts, week_of
from projections.views.purchase_order_evolvers import invoice_evolved
from projections.views.purchase_orders import Link, po_key
from storage import view_codec
from storage.view_codec import built, evolved

# The domain's `@event` decorators make most event classes at import (see purchase_orders.py).
GoodsReceipt: Any = domain.goods_receipt.GoodsReceipt
Invoice: Any = domain.invoice.Invoice
PurchaseOrder: Any = domain.purchase_order.PurchaseOrder
Shipment: Any = domain.shipment.Shipment

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class KpiLine:
    line_number: int
    need_by: date
    ship_to: str


@dataclass(frozen=True)
class KpiRevision:
    revision: int
    recorded_at: datetime
    answered_at: datetime | None  # the first answer that was not stale


@dataclass(frozen=True)
class KpiAsn:
    asn_number: str
    expected_delivery: date
    line_numbers: tuple[int, ...]  # the lines of this order it ships


@dataclass(frozen=True)
class KpiOrder:
    """What the KPIs need of one purchase order."""

    number: str
    supplier: str
    released_at: datetime
    plants: tuple[str, ...]  # every plant its lines ever shipped to, first seen first
    lines: tuple[KpiLine, ...]
    revisions: tuple[KpiRevision, ...]
    asns: tuple[KpiAsn, ...]
    receipts: int
    receipts_with_asn: int
    receipt_variances: int
    invoices: tuple[InvoiceView, ...]


@dataclass(frozen=True)
class KpiFacts(KpiCounts):
    """One order's contribution to one scope (a fact row's counts)."""

    member: int  # 1 while the order belongs to the scope


@dataclass(frozen=True)
class KpiLatency:
    """One answered revision's acknowledgement latency, in one scope (a latency row)."""

    member: int
    revision: int
    microseconds: int


COUNTS = tuple(field.name for field in fields(KpiCounts))
COLUMNS = (
    Column("kind", indexed=True),  # order | link | fact | latency
    Column("supplier"),
    Column("plant"),
    Column("day", indexed=True),  # a series' window reads a range of days
    Column("week"),
    Column("member", "int"),
    Column("microseconds", "int"),
    *(Column(name, "int") for name in COUNTS),
)
_NO_FIGURES = (0,) * (len(COLUMNS) - 5)  # (zeros, not NULLs: a NULL-only array has no type)


def _row_columns(view: Any) -> tuple[Any, ...]:
    if isinstance(view, KpiOrder):
        day = released_day(view.released_at)
        return ("order", view.supplier, "", day.isoformat(), week_of(day).isoformat(),
                *_NO_FIGURES)  # fmt: skip
    return ("link", "", "", "", "", *_NO_FIGURES)


def released_day(moment: datetime) -> date:
    """The UTC day of a release (a time without an offset is taken as UTC)."""
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


# --- the order's state --------------------------------------------------------------------------

orders = Projection(name="kpis", columns=COLUMNS, row_columns=_row_columns)
view_codec.register(KpiOrder, Link, KpiFacts, KpiLatency)


def _lines(event: Any) -> tuple[KpiLine, ...]:
    return tuple(built(KpiLine, line_number=line.line_number, need_by=line.need_by,
                       ship_to=line.ship_to) for line in event.lines)  # fmt: skip


def _with_plants(plants: tuple[str, ...], lines: Iterable[KpiLine]) -> tuple[str, ...]:
    found = list(plants)
    found.extend(p for p in dict.fromkeys(line.ship_to for line in lines) if p not in plants)
    return tuple(found)


def released(view: Any, event: Any, ref: str) -> KpiOrder:
    lines = _lines(event)
    return built(
        KpiOrder, number=event.number, supplier=event.supplier,
        released_at=event.provenance.at, plants=_with_plants((), lines), lines=lines,
        revisions=(KpiRevision(1, event.provenance.at, None),), asns=(), receipts=0,
        receipts_with_asn=0, receipt_variances=0, invoices=(),
    )  # fmt: skip


def revised(view: KpiOrder, event: Any, ref: str) -> KpiOrder:
    lines = _lines(event)
    revision = KpiRevision(event.revision, event.provenance.at, None)
    return evolved(view, lines=lines, plants=_with_plants(view.plants, lines),
                   revisions=(*view.revisions, revision))  # fmt: skip


def acknowledged(view: KpiOrder, event: Any, ref: str) -> KpiOrder:
    if not event.responses:  # an answer naming no line answers nothing
        return view
    at = event.provenance.at
    revisions = tuple(
        evolved(r, answered_at=at if r.answered_at is None else min(r.answered_at, at))
        if r.revision == event.revision
        else r
        for r in view.revisions
    )
    return evolved(view, revisions=revisions)


def asn_submitted(view: KpiOrder | None, event: Any, ref: str) -> KpiOrder | None:
    if view is None:
        return None
    numbers = tuple(
        q.line_number for order in event.orders if order.po_number == view.number
        for q in order.quantities()
    )  # fmt: skip
    asn = KpiAsn(event.asn_number, event.expected_delivery, numbers)
    return evolved(view, asns=(*view.asns, asn))


def asn_milestone(view: KpiOrder, event: Any, ref: str) -> KpiOrder:
    if event.eta is None:
        return view
    eta = event.eta.date()
    asns = tuple(evolved(a, expected_delivery=eta) if a.asn_number == ref else a for a in view.asns)
    return evolved(view, asns=asns)


def receipt_posted(view: KpiOrder | None, event: Any, ref: str) -> KpiOrder | None:
    if view is None:
        return None
    return evolved(
        view, receipts=view.receipts + 1,
        receipts_with_asn=view.receipts_with_asn + bool(event.asn_number),
        receipt_variances=view.receipt_variances + bool(event.variances),
    )  # fmt: skip


def invoice_submitted(view: KpiOrder | None, event: Any, ref: str) -> KpiOrder | None:
    """The invoice as the purchase order view starts it (its total is no KPI's business)."""
    if view is None:
        return None
    invoice = InvoiceView(
        event.invoice_number, event.supplier, event.po_number, event.currency,
        event.invoice_date, Decimal(0), "submitted", "", (), 0,
    )  # fmt: skip
    return evolved(view, invoices=(*view.invoices, invoice))


def invoice_changed(view: KpiOrder, event: Any, ref: str) -> KpiOrder:
    invoices = tuple(
        invoice_evolved(invoice, event) if invoice.invoice_number == ref else invoice
        for invoice in view.invoices
    )
    return evolved(view, invoices=invoices)


# --- which rows an event touches (as the purchase order view's: its own order, or a link) ------


def _via_link(prefix: str) -> Any:
    def keys(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
        link = lookup(f"{prefix}:{event.originator_id}")
        return [(target, link.ref) for target in link.targets] if link else []

    return keys


def _asn_targets(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    return [(po_key(order.po_number), event.asn_number) for order in event.orders]


def _ordered(event: Any, lookup: Lookup) -> Iterable[tuple[str, str]]:
    return ((po_key(event.po_number), ""),)


def _own(prefix: str) -> Any:
    return lambda event, _: ((f"{prefix}:{event.originator_id}", ""),)


def _asn_link(view: Any, event: Any, ref: str) -> Link:
    return Link(tuple(po_key(order.po_number) for order in event.orders), event.asn_number)


def _invoice_link(view: Any, event: Any, ref: str) -> Link:
    return Link((po_key(event.po_number),), event.invoice_number)


on = orders.on
on(PurchaseOrder.Released, creates=True)(released)
on(PurchaseOrder.Revised)(revised)
on(PurchaseOrder.Acknowledged)(acknowledged)
on(Shipment.Submitted, keys=_asn_targets, creates=True)(asn_submitted)
on(Shipment.Submitted, keys=_own("shipment"), creates=True)(_asn_link)
on(Shipment.MilestoneRecorded, keys=_via_link("shipment"))(asn_milestone)
on(GoodsReceipt.Posted, keys=_ordered, creates=True)(receipt_posted)
on(Invoice.Submitted, keys=_ordered, creates=True)(invoice_submitted)
on(Invoice.Submitted, keys=_own("invoice"), creates=True)(_invoice_link)
on(
    Invoice.Matched, Invoice.Blocked, Invoice.Approved, Invoice.Paid, Invoice.Disputed,
    Invoice.DuplicateSubmitted, Invoice.ErpStatusReported, keys=_via_link("invoice"),
)(invoice_changed)  # fmt: skip


# --- what an order contributes ---------------------------------------------------------------


def facts(order: KpiOrder, member: bool) -> KpiFacts:
    need_by = {line.line_number: line.need_by for line in order.lines}
    on_time = sum(
        all(asn.expected_delivery <= need_by[n] for n in asn.line_numbers if n in need_by)
        for asn in order.asns
    )
    exceptions = touchless = 0
    for invoice in order.invoices:
        troubled = invoice.match_status == "blocked" or invoice.duplicate_submissions > 0
        exceptions += troubled or bool(invoice.block_reasons)
        touchless += not troubled and invoice.status != "disputed" and not invoice.block_reasons
    return KpiFacts(
        len(order.asns), on_time, order.receipts, order.receipts_with_asn,
        order.receipt_variances, len(order.invoices), exceptions, touchless, int(member),
    )  # fmt: skip


def latencies(order: KpiOrder) -> list[tuple[int, int]]:
    """(revision, microseconds from its release to its first answer) of answered revisions."""
    return [
        (r.revision, (r.answered_at - r.recorded_at) // _MICROSECOND)
        for r in order.revisions
        if r.answered_at is not None
    ]


def derived_rows(key: str, order: KpiOrder) -> list[tuple[str, tuple[Any, ...], str]]:
    """The fact and latency rows of one order, in every scope it ever belonged to."""
    day = released_day(order.released_at)
    where = (day.isoformat(), week_of(day).isoformat())
    current = {line.ship_to for line in order.lines}
    document = key.removeprefix("purchaseorder:")
    found = []
    answered = latencies(order)
    for plant in ("", *order.plants):
        member = plant == "" or plant in current
        counts = facts(order, member)
        columns = ("fact", order.supplier, plant, *where, counts.member, 0,
                   *(getattr(counts, name) for name in COUNTS))  # fmt: skip
        found.append((f"fact:{document}:{plant}", columns, view_codec.encode(counts)))
        for revision, microseconds in answered:
            latency = KpiLatency(int(member), revision, microseconds)
            columns = ("latency", order.supplier, plant, *where, latency.member, microseconds,
                       *(0 for _ in COUNTS))  # fmt: skip
            row_key = f"latency:{document}:{plant}:{revision:06d}"
            found.append((row_key, columns, view_codec.encode(latency)))
    return found


class _WithDerivedRows:
    """The rows handed to the order projection: each order it writes brings its fact and
    latency rows along, in the same upsert (so in the same transaction as the position)."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.carried: dict[str, Any] = rows.carried if isinstance(rows, CarriesViews) else {}
        self.kept: dict[str, Any] = {}

    def load(self, keys: Iterable[str]) -> dict[str, str]:
        return self.rows.load(keys)

    def last(self) -> tuple[str, str] | None:
        return self.rows.last()

    def upsert(self, rows: Sequence[tuple[str, tuple[Any, ...], str]]) -> None:
        if isinstance(self.rows, CarriesViews):
            self.rows.kept = self.kept
        more = [
            row
            for key, view in self.kept.items()
            if isinstance(view, KpiOrder)
            for row in derived_rows(key, view)
        ]
        self.rows.upsert([*rows, *more])


class SupplierKpisProjection:
    """The `kpis` view: the order states and links, and the rows derived from them."""

    name = "kpis"
    columns = COLUMNS

    @property
    def topics(self) -> tuple[str, ...] | None:
        return orders.topics

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        return orders.process(records, _WithDerivedRows(rows))


supplier_kpis = SupplierKpisProjection()
