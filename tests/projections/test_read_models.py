"""The queries the API serves: paging, tenant scope, exceptions, alerts on a given clock, KPIs."""

from __future__ import annotations

from datetime import timedelta

from read_side_helpers import run_steps

from domain.application import SupplyHub
from projections.read_models import PurchaseOrderFilter
from projections.service_levels import ACK_SLA
from supplyhub.read_side import ReadSide


def test_pages_of_purchase_orders_cover_every_order_of_a_supplier_exactly_once(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    run_steps(hub, purchase_orders=12, seed=7)
    read_side.runner.catch_up()
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


def test_alerts_depend_on_the_clock_they_are_given(hub: SupplyHub, read_side: ReadSide) -> None:
    # Given the demo, where some orders are never acknowledged
    run_steps(hub, purchase_orders=12, seed=7)
    read_side.runner.catch_up()
    waiting = read_side.read_models.purchase_orders(None, PurchaseOrderFilter(needs_action=True), 1)
    po = waiting.items[0]
    released = po.revisions[-1].recorded_at

    # Then the alert appears only once the acknowledgement SLA has passed
    def unacknowledged(now_offset: timedelta) -> list[str]:
        alerts = read_side.read_models.alerts(po.supplier, released + now_offset)
        return [a.document for a in alerts if a.kind == "unacknowledged_revision"]

    assert f"po:{po.number}" not in unacknowledged(ACK_SLA - timedelta(minutes=1))
    assert f"po:{po.number}" in unacknowledged(ACK_SLA + timedelta(minutes=1))


def test_exceptions_and_kpis_answer_from_the_views(hub: SupplyHub, read_side: ReadSide) -> None:
    run_steps(hub, purchase_orders=12, seed=7)
    read_side.runner.catch_up()
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
