"""The console's exception queue as a buyer or an AP clerk works it, in a real browser (the
system Chromium, driven by Playwright) on the demo data, every request that does not go to
the hub aborted: each filter, paging with "Show more", the counts as drill-downs, the work
lists (revisions awaiting acknowledgement, blocked invoices with their reasons) and a filtered
view's URL. What the page should show is asked of the hub's own APIs, never written down.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps docs/screenshots/console-blocked.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from browser import Offline, ask, bearer, token
from live_server import LiveHub
from playwright.sync_api import Page, expect

from api.auth import Role

CASES = """query($category: CaseCategory, $owner: String, $supplier: String, $plant: String,
    $olderThanHours: Float, $breached: Boolean, $status: CaseStatus) {
  exceptions(category: $category, owner: $owner, supplier: $supplier, plant: $plant,
             olderThanHours: $olderThanHours, breached: $breached, status: $status,
             first: 100) {
    items { key category supplier document purchaseOrder { lines { shipTo } } } } }"""
ASSIGN = """mutation($key: String!) { assignException(idempotencyKey: $key,
  input: {key: $key, owner: "bea"}) { __typename } }"""
AWAITING = "{ purchaseOrders(needsAction: true, first: 100) { items { number } } }"


def keys(live: LiveHub, status: str | None = "open", **variables: Any) -> set[str]:
    found = ask(live, CASES, status=status, **variables)["exceptions"]["items"]
    return {case["key"] for case in found}


def sign_in(page: Page, live: LiveHub, role: Role = Role.BUYER, subject: str = "bea") -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, role, subject))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#queue-summary")).to_contain_text("shown")


def shown(page: Page, expected: set[str]) -> None:
    """The queue shows exactly these cases (once the page has drawn them)."""
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(len(expected))
    assert {rows.nth(i).get_attribute("data-key") for i in range(len(expected))} == expected


def test_each_filter_shows_the_cases_the_hub_holds_for_it(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    everything = keys(live)
    first = ask(live, CASES, status="open")["exceptions"]["items"]
    supplier = first[-1]["supplier"]
    plant = next(c for c in first if c["purchaseOrder"])["purchaseOrder"]["lines"][0]["shipTo"]
    assigned = sorted(everything)[0]
    assert ask(live, ASSIGN, key=assigned)["assignException"]["__typename"] == "Accepted"
    sign_in(page, live)
    shown(page, everything)

    page.get_by_label("Supplier").fill(supplier)
    page.get_by_label("Supplier").press("Enter")
    shown(page, by_supplier := keys(live, supplier=supplier))
    assert by_supplier < everything
    page.get_by_label("Supplier").fill("")
    page.get_by_label("Supplier").press("Enter")

    page.get_by_label("Plant").fill(plant)
    page.get_by_label("Plant").press("Enter")
    shown(page, by_plant := keys(live, plant=plant))
    assert by_plant and by_plant <= everything
    page.get_by_label("Plant").fill("")
    page.get_by_label("Plant").press("Enter")

    page.get_by_label("Mine").check()
    expect(page.get_by_label("Owner", exact=True)).to_have_value("bea")
    shown(page, {assigned})
    assert keys(live, owner="bea") == {assigned}
    page.get_by_label("Mine").uncheck()
    page.get_by_label("Owner", exact=True).fill("bea")
    page.get_by_label("Owner", exact=True).press("Enter")
    shown(page, {assigned})
    page.get_by_label("Owner", exact=True).fill("nobody-owns-this")
    page.get_by_label("Owner", exact=True).press("Enter")
    shown(page, set())
    page.get_by_label("Owner", exact=True).fill("")
    page.get_by_label("Owner", exact=True).press("Enter")

    page.get_by_label("Past due only").check()
    shown(page, keys(live, breached=True))
    page.get_by_label("Past due only").uncheck()

    page.get_by_role("combobox", name=re.compile("^Age")).select_option("24")
    shown(page, keys(live, olderThanHours=24))
    page.get_by_role("combobox", name=re.compile("^Age")).select_option("")

    page.get_by_label("Status").select_option("all")
    shown(page, keys(live, status=None))
    page.get_by_role("button", name="Clear filters").click()
    shown(page, everything)
    assert offline.blocked == []


def test_show_more_appends_the_next_page_and_live_changes_keep_the_pages_shown(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    everything = keys(live)
    assert len(everything) > 25  # the demo has more than one page of 25
    sign_in(page, live)
    rows = page.locator("#queue tbody tr")

    page.get_by_label("Rows").select_option("25")
    expect(rows).to_have_count(25)
    expect(page.locator("#queue-summary")).to_have_text(f"25 of {len(everything)} cases shown")
    first_page = [rows.nth(i).get_attribute("data-key") for i in range(25)]
    page.get_by_role("button", name="Show more").click()

    expect(rows).to_have_count(len(everything))
    assert [rows.nth(i).get_attribute("data-key") for i in range(25)] == first_page
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()

    # A case resolved elsewhere: the live queue re-reads both pages shown, not only the first.
    expect(page.locator("#live-state")).to_have_text("Live updates: on")
    gone = first_page[0]
    resolve = """mutation($key: String!) { resolveException(idempotencyKey: $key,
      input: {key: $key, resolution: "settled by phone"}) { __typename } }"""
    assert ask(live, resolve, key=gone)["resolveException"]["__typename"] == "Accepted"
    expect(page.locator(f'#queue tr[data-key="{gone}"]')).to_have_count(0)
    expect(rows).to_have_count(len(everything) - 1)
    assert offline.blocked == []


def test_a_count_is_a_drill_down_into_the_queue(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    variances = keys(live, category="quantity_variance")
    assert variances
    sign_in(page, live, Role.AP, "alex")
    page.get_by_label("Category").select_option("price_mismatch")

    page.get_by_role("button", name=re.compile("Receipt variances")).click()

    expect(page.locator("#count-variances")).to_have_text(str(len(variances)))
    shown(page, variances)
    expect(page.get_by_label("Category")).to_have_value("quantity_variance")
    assert "category=quantity_variance" in page.url

    page.get_by_role("button", name=re.compile("Past their due time")).click()
    shown(page, keys(live, breached=True))
    expect(page.get_by_label("Past due only")).to_be_checked()
    expect(page.get_by_label("Category")).to_have_value("")

    assert offline.blocked == []


def test_late_responses_and_missing_asns_open_as_lists_of_their_orders(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    sign_in(page, live)
    lists = (("Late responses", "late", "ackOverdue"),
             ("ASNs missing past cutoff", "missing", "asnMissing"))  # fmt: skip
    for count, name, argument in lists:
        query = f"{{ purchaseOrders({argument}: true, first: 100) {{ items {{ number }} }} }}"
        due = {po["number"] for po in ask(live, query)["purchaseOrders"]["items"]}
        assert due, argument  # the demo's orders are weeks old: some of each

        page.get_by_role("button", name=re.compile(count)).click()

        rows = page.locator(f"#{name} tbody tr")
        expect(rows).to_have_count(len(due))
        assert {rows.nth(i).get_attribute("data-number") for i in range(len(due))} == due
        assert f"list={name}" in page.url
    expect(page.locator("#missing tbody tr").first).to_contain_text("needed by")
    assert offline.blocked == []


def test_the_blocked_invoices_list_shows_each_with_its_reason_and_its_order(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    answer = httpx.get(f"{live.url}/console/blocked-invoices", headers=bearer(live, Role.AP))
    blocked = answer.json()["items"]
    assert blocked and blocked[0]["reasons"]
    sign_in(page, live)

    page.get_by_role("button", name=re.compile("Blocked invoices")).click()

    rows = page.locator("#blocked tbody tr")
    expect(rows).to_have_count(len(blocked))
    first = rows.nth(0)
    expect(first).to_contain_text(blocked[0]["invoice_number"])
    expect(first.locator("ul.reasons li").first).to_have_text(blocked[0]["reasons"][0])
    link = first.get_by_role("link", name=f"PO {blocked[0]['po_number']}")
    expect(link).to_have_attribute("href", f"console/trace/{blocked[0]['po_number']}")
    assert "list=blocked" in page.url
    page.locator("#blocked-panel").screenshot(path=screenshots / "console-blocked.png")
    assert offline.blocked == []


def test_the_revisions_awaiting_acknowledgement_open_as_a_list_of_their_orders(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    awaiting = {po["number"] for po in ask(live, AWAITING)["purchaseOrders"]["items"]}
    assert awaiting
    sign_in(page, live)

    page.get_by_role("button", name=re.compile("Revisions awaiting acknowledgement")).click()

    rows = page.locator("#revisions tbody tr")
    expect(rows).to_have_count(len(awaiting))
    assert {rows.nth(i).get_attribute("data-number") for i in range(len(awaiting))} == awaiting
    assert offline.blocked == []


def test_a_filtered_url_reloads_into_the_same_view_and_a_refused_value_is_named(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    cases = ask(live, CASES, status="open")["exceptions"]["items"]
    supplier, category = cases[0]["supplier"], cases[0]["category"]
    expected = keys(live, supplier=supplier, category=category)
    sign_in(page, live)
    page.goto(f"{live.url}/console?category={category}&supplier={supplier}")
    shown(page, expected)
    expect(page.get_by_label("Supplier")).to_have_value(supplier)
    expect(page.get_by_label("Category")).to_have_value(category)

    page.reload()

    shown(page, expected)
    expect(page.get_by_label("Category")).to_have_value(category)
    page.goto(f"{live.url}/console?olderThanHours=-1")
    expect(page.locator("#queue-problem")).to_contain_text("olderThanHours")
    expect(page.locator("#queue tbody tr")).to_have_count(0)
    page.goto(f"{live.url}/console?category=no_such_thing")
    expect(page.locator("#queue-problem")).to_contain_text("no_such_thing")
    assert offline.blocked == []


def test_a_case_on_a_receipt_links_to_the_receipts_own_trace(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    found = ask(live, CASES, status="open", category="quantity_variance")
    cases = found["exceptions"]["items"]
    receipt = next(c["document"] for c in cases if c["document"].startswith("receipt:"))
    sign_in(page, live)

    page.get_by_role("button", name=re.compile("Receipt variances")).click()
    link = page.locator("#queue tbody td.document").get_by_role("link", name=receipt).first
    expect(link).to_have_attribute("href", f"console/trace/{quote(receipt, safe='')}")
    link.click()

    expect(page.locator("#timeline")).to_contain_text("GoodsReceipt.Posted")
    assert offline.blocked == []
