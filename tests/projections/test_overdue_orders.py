"""Late responses and ASNs missing past cutoff are read on the order view's indexed due times
(`ack_due`, `asn_due`), as of a moment: the same orders the alerts' computation over every
order finds (projections/service_levels.py), on either store."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from given import T0, envelope, line
from read_side_helpers import run_steps

from connectors.demo import Scenario
from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.shipment import AsnItem, AsnOrder, AsnPack
from projections import service_levels
from projections.read_models import PurchaseOrderFilter, PurchaseOrderView
from supplyhub.read_side import ReadSide

SUPPLIER = "SUP-LATE"


def numbers(read_side: ReadSide, wanted: PurchaseOrderFilter) -> list[str]:
    read = read_side.read_models
    page = read.purchase_orders(None, wanted, 500)
    assert read.count_orders(None, wanted) == len(page.items)
    return [po.number for po in page.items]


def every_order(read_side: ReadSide) -> tuple[PurchaseOrderView, ...]:
    return read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 1000).items


def alerted(read_side: ReadSide, kind: str, now: datetime) -> list[str]:
    found = service_levels.alerts(every_order(read_side), now)
    return sorted({a.document.removeprefix("po:") for a in found if a.kind == kind})


def test_the_indexed_due_times_find_what_the_alerts_find_at_any_moment(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    run_steps(hub, 60, seed=11)
    read_side.runner.catch_up()

    for days in (0, 2, 3, 10, 25, 40, 90):
        now = Scenario(seed=11).now + timedelta(days=days)
        late = numbers(read_side, PurchaseOrderFilter(ack_overdue_at=now))
        missing = numbers(read_side, PurchaseOrderFilter(asn_missing_at=now))
        assert late == alerted(read_side, "unacknowledged_revision", now), now
        assert missing == alerted(read_side, "asn_missing", now), now
    assert late and missing  # the last moment has some of each


def test_an_answer_ends_a_late_response_and_a_ship_notice_ends_the_missing_asn(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    hub.handle(c.UpsertSupplier(SUPPLIER, "Late"), envelope())
    need_by = (T0 + timedelta(days=10)).date()
    hub.handle(c.ReleasePurchaseOrder("PO-LATE", SUPPLIER, "EUR",
                                      (line(10, need_by=need_by),)), envelope(at=T0))  # fmt: skip
    read_side.runner.catch_up()
    before_sla, after_sla = T0 + timedelta(hours=47), T0 + timedelta(hours=49)
    before_cutoff, after_cutoff = T0 + timedelta(days=7), T0 + timedelta(days=8, hours=1)
    late, missing = "ack_overdue_at", "asn_missing_at"

    assert numbers(read_side, PurchaseOrderFilter(**{late: before_sla})) == []
    assert numbers(read_side, PurchaseOrderFilter(**{late: after_sla})) == ["PO-LATE"]
    assert numbers(read_side, PurchaseOrderFilter(**{missing: before_cutoff})) == []
    assert numbers(read_side, PurchaseOrderFilter(**{missing: after_cutoff})) == ["PO-LATE"]

    answer = (c.LineAnswer(10, AckStatus.ACCEPTED, "IA"),)
    hub.handle(c.AcknowledgePurchaseOrder("PO-LATE", 1, answer), envelope(tenant=SUPPLIER))
    packs = (AsnPack("P1", (AsnItem(10, Decimal(10)),)),)
    notice = c.SubmitShipNotice(SUPPLIER, "ASN-LATE", T0.date(), need_by,
                                (AsnOrder("PO-LATE", packs),))  # fmt: skip
    hub.handle(notice, envelope(tenant=SUPPLIER))
    read_side.runner.catch_up()

    assert numbers(read_side, PurchaseOrderFilter(**{late: after_sla})) == []
    assert numbers(read_side, PurchaseOrderFilter(**{missing: after_cutoff})) == []
