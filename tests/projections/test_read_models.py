"""The queries the API serves: paging, tenant scope, exceptions, alerts on a given clock, KPIs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from read_side_helpers import run_steps

from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from projections.read_models import CaseFilter, ExceptionView, PurchaseOrderFilter, case_place
from projections.service_levels import ACK_SLA
from projections.trace import documents_of, timeline
from supplyhub.read_side import ReadSide


@pytest.fixture
def read_side(hub: SupplyHub, read_side: ReadSide) -> ReadSide:
    """Every test here asks the views of one demo: 12 orders from seed 7, caught up."""
    run_steps(hub, purchase_orders=12, seed=7)
    read_side.runner.catch_up()
    return read_side


def test_pages_of_purchase_orders_cover_every_order_of_a_supplier_exactly_once(
    read_side: ReadSide,
) -> None:
    everything = read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 100).items
    supplier = everything[0].supplier
    seen: list[str] = []
    after: str | None = None
    while True:
        page = read_side.read_models.purchase_orders(supplier, PurchaseOrderFilter(), 2, after)
        seen.extend(po.number for po in page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    mine = [po.number for po in everything if po.supplier == supplier]
    assert seen == mine and len(mine) >= 3
    waiting = read_side.read_models.purchase_orders(
        None, PurchaseOrderFilter(needs_action=True), 99
    )
    assert waiting.items and all(po.needs_action for po in waiting.items)


def test_alerts_depend_on_the_clock_they_are_given(read_side: ReadSide) -> None:
    # Given the demo, where some orders are never acknowledged
    waiting = read_side.read_models.purchase_orders(None, PurchaseOrderFilter(needs_action=True), 1)
    po = waiting.items[0]
    released = po.revisions[-1].recorded_at

    # Then the alert appears only once the acknowledgement SLA has passed
    def unacknowledged(now_offset: timedelta) -> list[str]:
        alerts = read_side.read_models.alerts(po.supplier, released + now_offset)
        return [a.document for a in alerts if a.kind == "unacknowledged_revision"]

    assert f"po:{po.number}" not in unacknowledged(ACK_SLA - timedelta(minutes=1))
    assert f"po:{po.number}" in unacknowledged(ACK_SLA + timedelta(minutes=1))


def test_exceptions_and_kpis_answer_from_the_views(read_side: ReadSide) -> None:
    cases = read_side.read_models.exceptions(None)
    assert cases and all(case.status == "open" for case in cases)
    assert {case.owner_role for case in cases} <= {"buyer", "ap"}
    by_po = sum(po.open_exceptions for po in read_side.read_models.purchase_orders(
        None, PurchaseOrderFilter(), 100).items)  # fmt: skip
    assert by_po == len(cases)
    kpis = read_side.read_models.kpis(None)
    overall = [k for k in kpis if k.plant == ""]
    assert overall and all(k.ack_within_sla_share is not None for k in overall)
    assert any(k.plant for k in kpis)


def test_pages_of_cases_read_from_the_store_cover_the_queue_once_in_its_order(
    read_side: ReadSide,
) -> None:
    read = read_side.read_models
    whole = sorted(read.exceptions(None, status=None), key=case_place)
    seen: list[ExceptionView] = []
    after = None
    while page := read.exceptions_page(CaseFilter(status=None), 7, after):
        assert len(page) <= 7
        seen += page
        after = case_place(page[-1])

    assert len(whole) > 7
    assert [case.key for case in seen] == [case.key for case in whole]
    buyers = read.exceptions_page(CaseFilter(owner_role="buyer"), 1000)
    assert list(buyers) == sorted(read.exceptions(None, "open", "buyer"), key=case_place)


def test_the_cases_on_an_orders_documents_are_found_without_decoding_the_others(
    read_side: ReadSide,
) -> None:
    read = read_side.read_models
    every = read.exceptions(None, status=None)
    po = next(po for po in read.purchase_orders(None, PurchaseOrderFilter(), 100).items
              if any(case.document == f"po:{po.number}" for case in every))  # fmt: skip
    own = documents_of(po, ())

    found = read.cases_on(po.supplier, own)

    assert found
    assert sorted(found, key=case_place) == sorted(
        (c for c in every if c.document in own), key=case_place
    )
    assert read.cases_on(po.supplier, ("po:NOT-AN-ORDER",)) == ()


def test_the_kpi_series_splits_the_figures_by_the_day_or_week_each_order_was_released(
    read_side: ReadSide,
) -> None:
    orders = read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 100).items
    days = read_side.read_models.kpi_series(None, "day")
    weeks = read_side.read_models.kpi_series(None, "week")

    released = {(po.supplier, po.released_at.date()) for po in orders}
    assert {(p.kpis.supplier, p.start) for p in days} == released
    assert len({p.start for p in days}) > 1
    assert all(p.start.weekday() == 0 for p in weeks)
    overall = {k.supplier: k for k in read_side.read_models.kpis(None) if k.plant == ""}
    for point in weeks:  # every order in one week here: the week is the whole figure
        if len({p.start for p in weeks if p.kpis.supplier == point.kpis.supplier}) == 1:
            assert point.kpis == overall[point.kpis.supplier]
    with pytest.raises(ValueError, match="period must be one of day, week"):
        read_side.read_models.kpi_series(None, "month")


def test_a_trace_holds_every_event_of_the_order_and_of_its_asns_receipts_invoices_and_cases(
    read_side: ReadSide,
) -> None:
    po = next(
        po for po in read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 100).items
        if po.shipments and po.receipts and po.invoices
    )  # fmt: skip
    labels = documents_of(po, read_side.read_models.exceptions(None, status=None))
    steps = timeline(labels, read_side.read_models.histories)

    own = [s.entry for s in steps if s.document == f"po:{po.number}"]
    assert own == list(read_side.history(str(PurchaseOrder.create_id(po.number))))
    kinds = {s.document.split(":")[0] for s in steps}
    assert {"po", "asn", "receipt", "invoice"} <= kinds
    assert [s.entry.at for s in steps] == sorted(s.entry.at for s in steps)
    assert steps[0].entry.event == "PurchaseOrder.Released"
    assert all(s.entry.message_id and s.entry.correlation_id for s in steps)
