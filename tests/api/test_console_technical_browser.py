"""The console's technical panels in a real browser (the system Chromium, driven by Playwright)
on the demo data, every request that does not go to the hub aborted: an interchange the
gateway parked (taken from the partner's mailbox through the gateway's own path) is shown under
its partner, drilled down to the order it holds up and back, and replayed by the operator once
the profile is fixed; the trace hands over the raw payload with the console's token; a case in
the queue links to its order's trace; a republish asks for confirmation.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps console-technical.png and console-trace-payload.png."""

from __future__ import annotations

from pathlib import Path

from browser import Offline, token
from parked_edi import (
    CXML_PARTNER,
    a_cxml_document_received,
    acknowledgement,
    an_open_order,
    collect,
    write_profile,
)
from playwright.sync_api import expect
from test_console_ops_browser import ask, sign_in

from api.auth import Role


def test_an_operator_drills_from_a_parked_interchange_to_its_order_and_replays_it(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    write_profile(live, {"EA": "EA"})
    po = an_open_order(live, token(live, Role.ADMIN))
    interchange = acknowledgement(po, "PC", control=811)
    ref = collect(live, interchange)
    a_cxml_document_received(live)

    sign_in(page, live, Role.ADMIN, "olga")
    row = page.locator(f'#parked tr[data-ref="{ref}"]')
    expect(row).to_contain_text("'PC' is not in the partner's units table")
    expect(page.locator("#parked-summary")).to_have_text("1 interchange parked")
    boreal = page.locator('#channels tr[data-partner="boreal"]')
    expect(boreal).to_contain_text("SUP-BOREAL")
    expect(boreal.locator("td.parked")).to_have_text("1")
    expect(boreal.locator("td.received")).to_have_text("1")
    cypress = page.locator(f'#channels tr[data-partner="{CXML_PARTNER}"]')
    expect(cypress.locator("td.dialect")).to_have_text("cxml")
    expect(cypress.locator("td.received")).to_have_text("1")
    expect(cypress.locator("td.last-in")).not_to_have_text("never")
    expect(page.locator('#backbone tr[data-worker="inbound (NATS)"]')).to_contain_text(
        "SUPPLYHUB_NATS_URL is not set"
    )
    expect(page.locator("#erp-detail")).to_contain_text("Not configured")
    expect(page.locator("#api-health")).to_contain_text("/console/session")  # asked before
    page.locator("#channels-panel").screenshot(path=screenshots / "console-technical.png")

    # drill down: the parked interchange names the order; its trace shows it, and back
    row.get_by_role("link", name=f"PO {po['number']}").click()
    expect(page).to_have_url(f"{live.url}/console/trace/{po['number']}")
    parked_on_trace = page.locator(f'#trace-parked tr[data-ref="{ref}"]')
    expect(parked_on_trace).to_contain_text("boreal")
    with page.expect_download() as stuck_bytes:  # what holds the order up, as the partner sent it
        parked_on_trace.get_by_role("link", name="sha256:").click()
    assert Path(stuck_bytes.value.path()).read_bytes() == interchange
    page.get_by_role("link", name="Back to the console").click()
    expect(row).to_be_visible()

    write_profile(live, {"EA": "EA", "PC": "EA"})  # operations fix the partner's units
    row.get_by_role("button", name="Replay").click()
    dialog = page.locator("#replay-dialog")
    dialog.get_by_label("Why?").fill("PC added to the units table")
    dialog.get_by_role("button", name="Replay").click()

    expect(row).to_have_count(0)
    expect(page.locator("#replay-result")).to_contain_text("1 applied, 0 already applied")
    done = page.locator("#dead-letter-actions tbody tr").first
    for seen in (ref, "replay", "olga", "PC added to the units table"):
        expect(done).to_contain_text(seen)
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, 10)

    # the order's trace now holds the partner's acknowledgement, its raw payload one click away
    page.goto(f"{live.url}/console/trace/{po['number']}")
    step = page.locator("#timeline tbody tr", has_text="Acknowledged").last
    with page.expect_download() as download:
        step.get_by_role("link", name="sha256:").click()
    assert Path(download.value.path()).read_bytes() == interchange
    assert download.value.suggested_filename == f"{ref.replace(':', '-')}.edi"
    page.screenshot(path=screenshots / "console-trace-payload.png", full_page=True)
    assert offline.blocked == []


def test_a_case_in_the_queue_links_to_its_orders_trace(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    sign_in(page, live, Role.BUYER, "bea")

    link = page.locator("#queue tbody tr .document a", has_text="PO ").first
    number = link.inner_text().removeprefix("PO ")
    link.click()

    expect(page).to_have_url(f"{live.url}/console/trace/{number}")
    expect(page.locator("#trace-title")).to_contain_text(number)
    assert offline.blocked == []


def test_a_republish_asks_to_confirm_and_says_why_it_cannot_run_without_nats(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    sign_in(page, live, Role.ADMIN, "olga")

    page.get_by_label("From position").fill("1")
    page.get_by_label("To position").fill("20")
    page.get_by_role("button", name="Republish…").click()
    dialog = page.locator("#replay-dialog")
    expect(dialog).to_contain_text("positions 1 to 20")
    dialog.get_by_label("Why?").fill("analytics lost a day")
    dialog.get_by_role("button", name="Republish").click()

    expect(page.locator("#replay-problem")).to_contain_text("SUPPLYHUB_NATS_URL is not set")
    assert offline.blocked == []


def test_an_asns_trace_is_reached_from_its_orders_and_leads_back_to_it(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    found = ask(live, "{ purchaseOrders(first: 100) { items { number supplier "
                      "shipments { asnNumber } invoices { invoiceNumber } } } }")  # fmt: skip
    po = next(po for po in found["purchaseOrders"]["items"] if po["shipments"] and po["invoices"])
    asn = f"asn:{po['supplier']}:{po['shipments'][0]['asnNumber']}"
    sign_in(page, live, Role.AUDITOR, "audrey")

    page.goto(f"{live.url}/console/trace/{po['number']}")
    page.locator("#timeline tbody tr").get_by_role("link", name=asn).first.click()

    expect(page.locator("#trace-title")).to_contain_text(asn)
    expect(page.locator(f'#timeline tr[data-document="{asn}"]').first).to_contain_text(
        "Shipment.Submitted"
    )
    expect(page.locator(f'#timeline tbody tr:not([data-document="{asn}"])')).to_have_count(0)
    page.get_by_role("link", name=f"PO {po['number']}").click()
    expect(page.locator("#trace-title")).to_have_text(
        f"Purchase order {po['number']} ({po['supplier']})"
    )
    assert offline.blocked == []
