"""The console's operator pages in a real browser (the system Chromium, driven by Playwright),
on the demo data, with every request that does not go to the hub aborted: the dead letters
and their retry, one purchase order's trace, and the KPI charts. The stuck command is written
into the dead-letter store through its public API, as the inbound worker would bury it.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps console-ops.png, console-trace.png and
console-kpis.png."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from browser import Offline, ask, token
from live_server import LiveHub
from playwright.sync_api import Page, expect

from api.auth import Role
from connectors.nats.command_messages import InboundMessage
from supplyhub.workers import dead_letter_store

ORDERS = """{ purchaseOrders(first: 100) { items { number status needsAction
  shipments { asnNumber } invoices { invoiceNumber } } } }"""


def orders(live: LiveHub) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ask(live, ORDERS, Role.ADMIN)["purchaseOrders"]["items"]
    return found


def bury_a_cancel(live: LiveHub, number: str) -> str:
    """A cancel of the order, made its document's dead letter as the inbound worker does."""
    message = InboundMessage(
        "supplyhub.commands.cancel_purchase_order",
        {"Nats-Msg-Id": f"erp-cancel-{number}", "Supplyhub-Correlation-Id": f"corr-{number}"},
        json.dumps({"po_number": number, "reason": "order withdrawn"}).encode(),
    )
    store = dead_letter_store(live.settings)
    store.bury(f"po:{number}", message, "timeout: store unreachable", 5, datetime.now(UTC))
    return f"po:{number}"


def sign_in(page: Page, live: LiveHub, role: Role, subject: str) -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, role, subject))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {subject}")).to_be_visible()


def test_an_operator_finds_a_stuck_order_traces_it_and_retries_it_from_the_page(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    number = next(po["number"] for po in orders(live) if po["status"] == "open"
                  and po["needsAction"] and not po["shipments"])  # fmt: skip
    document = bury_a_cancel(live, number)

    sign_in(page, live, Role.ADMIN, "olga")
    row = page.locator(f'#dead-letters tr[data-document="{document}"]')
    expect(row).to_contain_text("timeout: store unreachable")
    expect(row).to_contain_text("cancel_purchase_order")
    expect(page.locator("#dead-letters-summary")).to_have_text("1 document stuck")
    page.locator("#technical").screenshot(path=screenshots / "console-ops.png")

    # drill down: the dead letter names the order it holds up; its trace shows it stuck
    row.get_by_role("link", name=f"PO {number}").click()
    expect(page).to_have_url(f"{live.url}/console/trace/{number}")
    expect(page.locator("#trace-dead-letters")).to_contain_text("timeout: store unreachable")
    expect(page.locator("#timeline tbody tr").first).to_contain_text("PurchaseOrder.Released")
    # and back to the console, where the operator retries it
    page.get_by_role("link", name="Back to the console").click()
    expect(row).to_be_visible()

    row.get_by_role("button", name="Retry").click()
    dialog = page.locator("#release-dialog")
    dialog.get_by_label("Why?").fill("store back after the failover")
    dialog.get_by_role("button", name="Retry").click()

    expect(row).to_have_count(0)
    expect(page.locator("#dead-letters-summary")).to_have_text("No dead letters.")
    done = page.locator("#dead-letter-actions tbody tr").first
    for seen in (document, "retry", "olga", "store back after the failover"):
        expect(done).to_contain_text(seen)
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, 10)
    assert next(po for po in orders(live) if po["number"] == number)["status"] == "cancelled"
    assert offline.blocked == []


def test_a_buyer_sees_the_dead_letters_but_is_offered_no_retry_or_drop(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    number = next(po["number"] for po in orders(live) if po["status"] == "open"
                  and not po["shipments"] and not po["needsAction"])  # fmt: skip
    document = bury_a_cancel(live, number)

    sign_in(page, live, Role.BUYER, "bea")

    row = page.locator(f'#dead-letters tr[data-document="{document}"]')
    expect(row).to_contain_text("timeout: store unreachable")
    expect(page.locator("#dead-letters button")).to_have_count(0)
    assert offline.blocked == []


def test_the_trace_puts_the_order_its_asns_and_invoices_on_one_timeline_with_provenance(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    po = next(po for po in orders(live) if po["shipments"] and po["invoices"])
    history = httpx.get(
        f"{live.url}/api/v1/purchase-orders/{po['number']}/history",
        headers={"Authorization": f"Bearer {token(live, Role.AUDITOR)}"},
    ).json()
    expected = history["events"]  # the order's own events, as the REST history tells them

    sign_in(page, live, Role.AUDITOR, "audrey")
    page.goto(f"{live.url}/console/trace/{po['number']}")

    steps = page.locator("#timeline tbody tr")
    order_steps = page.locator(f'#timeline tr[data-document="po:{po["number"]}"]')
    expect(order_steps).to_have_count(len(expected))
    asn = po["shipments"][0]["asnNumber"]
    expect(page.locator(f'#timeline tr[data-document$=":{asn}"]').first).to_contain_text(
        "Shipment."
    )
    invoice = po["invoices"][0]["invoiceNumber"]
    expect(page.locator(f'#timeline tr[data-document$=":{invoice}"]').first).to_be_visible()
    first = order_steps.first
    for field in ("event", "message_id", "correlation_id", "channel", "actor"):
        expect(first).to_contain_text(expected[0][field])
    assert steps.count() > len(expected)
    page.screenshot(path=screenshots / "console-trace.png", full_page=True)
    assert offline.blocked == []


def test_the_kpi_charts_draw_one_point_per_supplier_and_period_with_a_figure(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    headers = {"Authorization": f"Bearer {token(live, Role.BUYER)}"}
    series = httpx.get(f"{live.url}/console/kpis?period=day", headers=headers).json()
    with_latency = [p for p in series if p["kpis"]["ack_latency_median_hours"] is not None]
    assert len({p["start"] for p in with_latency}) > 1  # the demo spans several days

    sign_in(page, live, Role.BUYER, "bea")

    expect(page.locator("#chart-ack-latency circle.point")).to_have_count(len(with_latency))
    suppliers = {p["supplier"] for p in with_latency}
    expect(page.locator("#chart-ack-latency polyline")).to_have_count(len(suppliers))
    page.locator("#kpi-charts").screenshot(path=screenshots / "console-kpis.png")
    weekly = httpx.get(f"{live.url}/console/kpis?period=week", headers=headers).json()
    touchless = [p for p in weekly if p["kpis"]["touchless_invoice_rate"] is not None]
    page.get_by_label("Per").select_option("week")
    expect(page.locator("#chart-touchless circle.point")).to_have_count(len(touchless))
    assert offline.blocked == []
