"""The KPI projection: its figures equal the old computation over every purchase order view
(`kpi_oracle.py`), each KPI moves when its event arrives, and a rebuild gives the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import kpi_oracle
import pytest
from given import T0, envelope, line
from read_side_helpers import run_steps

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.errors import ValidationError
from domain.goods_receipt import ReceiptLine
from domain.invoice import InvoiceLine
from domain.shipment import AsnItem, AsnOrder, AsnPack
from projections.read_models import KpiPeriod, PurchaseOrderFilter, PurchaseOrderView, SupplierKpis
from supplyhub.read_side import ReadSide

SUPPLIER = "SUP-KPI"
NEED_BY = date(2026, 12, 1)


def every_order(read_side: ReadSide) -> tuple[PurchaseOrderView, ...]:
    return read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 100_000).items


def assert_same_as_the_old_computation(read_side: ReadSide) -> None:
    read = read_side.read_models
    views = every_order(read_side)
    # answered from the KPI view, which holds one state row per order
    assert len(read_side.store.select("kpis", {"kind": "order"})) == len(views)
    assert read.kpis(None) == kpi_oracle.kpis(views)
    for supplier in {po.supplier for po in views}:
        mine = [po for po in views if po.supplier == supplier]
        assert read.kpis(supplier) == kpi_oracle.kpis(mine)
        every_week = read.kpi_series(supplier, "week", date.min)
        assert every_week == kpi_oracle.kpi_series(mine, "week")
    for period in ("day", "week"):
        assert read.kpi_series(None, period, date.min) == kpi_oracle.kpi_series(views, period)


@pytest.mark.parametrize(
    ("orders", "seed"), [(36, 7), (90, 23)], ids=["the demo", "a generated scenario"]
)
def test_the_kpis_and_their_series_equal_the_old_computation_over_every_order(
    hub: SupplyHub, read_side: ReadSide, orders: int, seed: int
) -> None:
    run_steps(hub, purchase_orders=orders, seed=seed)
    read_side.runner.catch_up()

    assert_same_as_the_old_computation(read_side)
    figures = read_side.read_models.kpis(None)
    assert {k.plant for k in figures} > {""}
    assert all(k.ack_latency_median_hours is not None for k in figures if k.plant == "")
    assert len({p.start for p in read_side.read_models.kpi_series(None, "day")}) > 1


def test_a_rebuild_gives_the_same_rows_and_the_same_figures(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    run_steps(hub, purchase_orders=40, seed=5)
    read_side.runner.catch_up()
    rows = list(read_side.store.scan_all("kpis"))
    figures = read_side.read_models.kpis(None)
    series = read_side.read_models.kpi_series(None, "day")

    read_side.rebuild("kpis")

    assert list(read_side.store.scan_all("kpis")) == rows
    assert read_side.read_models.kpis(None) == figures
    assert read_side.read_models.kpi_series(None, "day") == series
    assert [t.version for t in read_side.store.tracking() if t.name == "kpis"] == [2]


class Story:
    """One supplier's order, told command by command at chosen times, read back after each."""

    def __init__(self, hub: SupplyHub, read_side: ReadSide) -> None:
        self.hub, self.read_side = hub, read_side
        hub.handle(c.UpsertSupplier(SUPPLIER, "KPI Supplier", erp_id="V0001"), envelope(at=T0))

    def at(self, hours: float, command: object) -> None:
        self.hub.handle(command, envelope(at=T0 + timedelta(hours=hours)))  # type: ignore[arg-type]
        self.read_side.runner.catch_up()

    def figures(self, plant: str = "") -> SupplierKpis:
        found = {k.plant: k for k in self.read_side.read_models.kpis(SUPPLIER)}
        assert_same_as_the_old_computation(self.read_side)
        return found[plant]

    def plants(self) -> set[str]:
        return {k.plant for k in self.read_side.read_models.kpis(SUPPLIER)} - {""}


def answer(revision: int, *numbers: int) -> c.AcknowledgePurchaseOrder:
    lines = tuple(c.LineAnswer(n, AckStatus.ACCEPTED, "IA") for n in numbers)
    return c.AcknowledgePurchaseOrder("PO-K1", revision, lines)


def notice(asn: str, expected: date) -> c.SubmitShipNotice:
    packs = (AsnPack("P1", (AsnItem(10, Decimal(10)),)),)
    return c.SubmitShipNotice(
        SUPPLIER, asn, date(2026, 11, 20), expected, (AsnOrder("PO-K1", packs),)
    )


ORDER = (line(10, ship_to="PLANT-A", need_by=NEED_BY), line(20, ship_to="PLANT-B", need_by=NEED_BY))


def test_acknowledgement_latency_moves_with_partial_answers_revisions_and_stale_answers(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    story = Story(hub, read_side)
    story.at(0, c.ReleasePurchaseOrder("PO-K1", SUPPLIER, "EUR", ORDER))
    assert story.figures().ack_latency_median_hours is None
    assert story.plants() == {"PLANT-A", "PLANT-B"}

    story.at(5, answer(1, 10))  # a partial answer is the first answer
    assert story.figures().ack_latency_median_hours == 5.0
    assert story.figures("PLANT-B").ack_within_sla_share == 1.0
    story.at(7, answer(1, 20))  # the rest later does not move it
    assert story.figures().ack_latency_median_hours == 5.0

    moved = (ORDER[0], replace(ORDER[1], ship_to="PLANT-C"))
    story.at(10, c.RevisePurchaseOrder("PO-K1", 2, moved))
    assert story.plants() == {"PLANT-A", "PLANT-C"}  # no line ships to PLANT-B any more
    assert story.figures("PLANT-C").ack_latency_median_hours == 5.0

    story.at(11, answer(1, 10, 20))  # an answer to revision 1, now stale: no latency
    assert story.figures().ack_latency_median_hours == 5.0

    story.at(70, answer(2, 10, 20))  # revision 2 answered 60 h after it, past the SLA
    kpis = story.figures()
    assert (kpis.ack_latency_median_hours, kpis.ack_latency_p90_hours) == (32.5, 60.0)
    assert kpis.ack_within_sla_share == 0.5


def test_asn_timeliness_and_completeness_move_with_notices_milestones_and_receipts(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    story = Story(hub, read_side)
    story.at(0, c.ReleasePurchaseOrder("PO-K1", SUPPLIER, "EUR", ORDER))
    story.at(1, answer(1, 10, 20))

    story.at(2, notice("ASN-ON-TIME", NEED_BY))
    assert story.figures().asn_on_time_share == 1.0
    story.at(3, notice("ASN-LATE", NEED_BY + timedelta(days=3)))
    assert story.figures().asn_on_time_share == 0.5
    assert story.figures("PLANT-A").asn_on_time_share == 0.5

    eta = datetime.combine(NEED_BY - timedelta(days=1), datetime.min.time(), T0.tzinfo)
    story.at(4, c.RecordShipmentMilestone(SUPPLIER, "ASN-LATE", "delayed", eta=eta))
    assert story.figures().asn_on_time_share == 1.0  # the new arrival is in time

    assert story.figures().asn_completeness_share is None
    story.at(5, c.PostGoodsReceipt("GR-1", "PO-K1", NEED_BY, (ReceiptLine(10, Decimal(10)),),
                                   asn_number="ASN-ON-TIME"))  # fmt: skip
    assert story.figures().asn_completeness_share == 1.0
    story.at(6, c.PostGoodsReceipt("GR-2", "PO-K1", NEED_BY, (ReceiptLine(20, Decimal(5)),)))
    assert story.figures().asn_completeness_share == 0.5


def test_invoice_exception_and_touchless_rates_move_with_blocks_disputes_and_duplicates(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    story = Story(hub, read_side)
    story.at(0, c.ReleasePurchaseOrder("PO-K1", SUPPLIER, "EUR", ORDER))
    story.at(1, c.PostGoodsReceipt("GR-1", "PO-K1", NEED_BY, (ReceiptLine(10, Decimal(100)),)))

    def invoice(number: str, price: str) -> c.SubmitInvoice:
        lines = (InvoiceLine(10, Decimal(10), Decimal(price)),)
        return c.SubmitInvoice(SUPPLIER, number, "PO-K1", "EUR", NEED_BY, lines)

    story.at(2, invoice("INV-1", "2.50"))  # matches: touchless
    kpis = story.figures()
    assert (kpis.invoice_exception_rate, kpis.touchless_invoice_rate) == (0.0, 1.0)

    story.at(3, invoice("INV-2", "9.99"))  # the price is off: blocked
    kpis = story.figures()
    assert (kpis.invoice_exception_rate, kpis.touchless_invoice_rate) == (0.5, 0.5)

    story.at(4, c.DisputeInvoice(SUPPLIER, "INV-1", "wrong lot"))  # disputed: not touchless
    kpis = story.figures()
    assert (kpis.invoice_exception_rate, kpis.touchless_invoice_rate) == (0.5, 0.0)

    story.at(5, invoice("INV-3", "2.50"))
    assert story.figures().touchless_invoice_rate == round(1 / 3, 4)
    story.at(6, invoice("INV-3", "2.50"))  # submitted again: a duplicate is an exception
    kpis = story.figures("PLANT-A")
    assert (kpis.invoice_exception_rate, kpis.touchless_invoice_rate) == (0.6667, 0.0)


RELEASED_ON = (0, 2, 9, 100, 120)  # days after T0, a Monday: the 2nd and the 9th are Wednesdays


def within(points: tuple[KpiPeriod, ...], first: date, last: date) -> tuple[KpiPeriod, ...]:
    return tuple(p for p in points if first <= p.start <= last)


def test_a_series_reads_the_days_and_whole_weeks_its_window_meets_by_default_the_latest(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    story = Story(hub, read_side)
    for n, day in enumerate(RELEASED_ON):
        story.at(24 * day, c.ReleasePurchaseOrder(f"PO-W{n}", SUPPLIER, "EUR", ORDER))
        accepted = (c.LineAnswer(10, AckStatus.ACCEPTED, "IA"),)
        story.at(24 * day + 5 + n, c.AcknowledgePurchaseOrder(f"PO-W{n}", 1, accepted))
    read = read_side.read_models
    views = every_order(read_side)
    days, weeks = (kpi_oracle.kpi_series(views, period) for period in ("day", "week"))
    monday, wednesday = T0.date(), T0.date() + timedelta(days=2)
    newest = T0.date() + timedelta(days=120)

    assert read.kpi_series(None, "day", date.min) == days  # every day, as the old computation
    assert read.kpi_series(None, "day") == within(days, newest - timedelta(days=89), newest)
    assert [p.start for p in read.kpi_series(None, "day")] == [newest - timedelta(20), newest]
    assert read.kpi_series(None, "week") == weeks  # the latest 52 weeks hold every order
    assert read.kpi_series(None, "day", wednesday, wednesday) == within(days, wednesday, wednesday)
    # a week the window meets is whole: its Monday's order too, the same figures as unwindowed
    (week,) = read.kpi_series(None, "week", wednesday, wednesday)
    assert week == within(weeks, monday, monday)[0]
    assert week.kpis.ack_latency_median_hours == 5.5  # (5 h and 6 h)
    # `to` alone: the 90 days up to it; `from` alone: up to the newest release
    ninth = monday + timedelta(days=9)
    assert read.kpi_series(None, "day", None, ninth) == within(days, monday, ninth)
    assert read.kpi_series(None, "day", ninth) == within(days, ninth, newest)
    assert read.kpi_series(None, "week", newest) == within(weeks, newest - timedelta(1), newest)
    assert read.kpi_series(None, "day", date(2026, 11, 20), date(2026, 11, 30)) == ()
    assert read.kpi_series(None, "day", newest + timedelta(days=1)) == ()
    assert len(read.kpi_series(None, "week", date.min, date.max)) == len(weeks)
    with pytest.raises(ValidationError, match="on or before to"):
        read.kpi_series(None, "day", newest, wednesday)


def test_a_series_of_no_order_is_empty_whatever_its_window(read_side: ReadSide) -> None:
    read = read_side.read_models

    assert read.kpi_series(None, "day") == ()
    assert read.kpi_series(None, "week", date.min, date.max) == ()
