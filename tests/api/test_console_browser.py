"""The operations console in a real browser (the system Chromium, driven by Playwright), on the
demo data, with every request that does not go to the hub aborted. What the page should show
is asked of the hub's own GraphQL API, never written down here.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps docs/screenshots/console.png."""

from __future__ import annotations

from pathlib import Path

from browser import Offline, ask, token
from live_commands import reject, release, subscribers
from live_server import LiveHub
from playwright.sync_api import Page, expect

from api.auth import Role

OPEN_CASES = """{ exceptions(status: open, first: 100) {
  items { key category document supplier ownerRole } } }"""
ORDERS = """query($after: String) { purchaseOrders(first: 100, after: $after) {
  items { needsAction invoices { matchStatus } } endCursor hasNextPage } }"""


def open_cases(live: LiveHub) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = ask(live, OPEN_CASES)["exceptions"]["items"]
    return cases


def order_counts(live: LiveHub) -> tuple[int, int]:
    """POs awaiting the supplier's answer, and blocked invoices, over every page."""
    unacknowledged = blocked = 0
    after = None
    while True:
        page = ask(live, ORDERS, after=after)["purchaseOrders"]
        for po in page["items"]:
            unacknowledged += po["needsAction"]
            blocked += sum(i["matchStatus"] == "blocked" for i in po["invoices"])
        if not page["hasNextPage"]:
            return unacknowledged, blocked
        after = page["endCursor"]


def sign_in(
    page: Page, live: LiveHub, role: Role, subject: str = "bea", supplier: str = ""
) -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, role, subject, supplier))
    page.get_by_role("button", name="Sign in").click()


def test_a_buyer_signs_in_and_sees_the_exception_queue_and_counts_of_the_demo(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    cases = open_cases(live)
    unacknowledged, blocked = order_counts(live)
    assert cases and unacknowledged and blocked  # the demo has each kind to show

    sign_in(page, live, Role.BUYER)

    expect(page.get_by_text("Signed in as bea (buyer)")).to_be_visible()
    expect(page.locator("#count-open")).to_have_text(str(len(cases)))
    expect(page.locator("#count-unacknowledged")).to_have_text(str(unacknowledged))
    expect(page.locator("#count-blocked")).to_have_text(str(blocked))
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(len(cases))
    for case in (cases[0], cases[-1]):
        row = page.locator(f'#queue tr[data-key="{case["key"]}"]')
        expect(row).to_contain_text(case["document"])
        expect(row).to_contain_text(case["supplier"])
    first = cases[0]
    page.get_by_label("Category").select_option(first["category"])
    same_category = [c for c in cases if c["category"] == first["category"]]
    expect(rows).to_have_count(len(same_category))
    page.get_by_label("Category").select_option("")
    expect(rows).to_have_count(len(cases))

    projections = page.locator("#projections")
    expect(projections).to_contain_text("purchase_orders")
    expect(page.locator("#ready")).to_have_text("yes")
    page.screenshot(path=screenshots / "console.png", full_page=True)
    assert offline.blocked == []


def test_a_buyer_resolves_a_case_and_it_leaves_the_queue_without_a_reload(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    cases = open_cases(live)
    case = next(c for c in cases if c["ownerRole"] == "buyer")
    sign_in(page, live, Role.BUYER)
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(len(cases))
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    row = page.locator(f'#queue tr[data-key="{case["key"]}"]')
    row.get_by_role("button", name="Resolve").click()
    dialog = page.locator("#case-dialog")
    dialog.get_by_label("How was it resolved?").fill("Supplier re-sent the right quantity")
    dialog.get_by_role("button", name="Resolve case").click()

    expect(row).to_have_count(0)
    expect(rows).to_have_count(len(cases) - 1)
    expect(page.locator("#count-open")).to_have_text(str(len(cases) - 1))
    assert page.evaluate("window.sameDocument") is True
    assert case["key"] not in {c["key"] for c in open_cases(live)}
    assert offline.blocked == []


def test_a_case_another_caller_opens_appears_in_the_open_console_without_a_reload(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    cases = open_cases(live)
    release(live, "4500000951")
    sign_in(page, live, Role.BUYER)
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(len(cases))
    expect(page.locator("#live-state")).to_have_text("Live updates: on")
    subscribers(live, 1)  # the page's exceptionQueue subscription is in the hub's feed
    page.evaluate("window.sameDocument = true")

    reject(live, "4500000951")  # the supplier, over GraphQL: a line_rejected case opens

    expect(page.locator("#queue tr", has_text="po:4500000951")).to_have_count(1)
    expect(rows).to_have_count(len(cases) + 1)
    expect(page.locator("#count-open")).to_have_text(str(len(cases) + 1))
    assert page.evaluate("window.sameDocument") is True
    assert offline.blocked == []


def test_a_buyer_assigns_a_case_to_herself_and_the_queue_names_her_its_owner(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    case = next(c for c in open_cases(live) if c["ownerRole"] == "buyer")
    sign_in(page, live, Role.BUYER, "bea")
    row = page.locator(f'#queue tr[data-key="{case["key"]}"]')
    expect(row.locator("td.owner")).to_have_text("buyer")

    row.get_by_role("button", name="Assign").click()
    dialog = page.locator("#case-dialog")
    expect(dialog.get_by_label("Owner")).to_have_value("bea")  # the signed-in subject
    dialog.get_by_role("button", name="Assign").click()

    expect(row.locator("td.owner")).to_have_text("bea (buyer)")
    assert offline.blocked == []


def test_an_auditor_reads_the_queue_and_positions_but_is_offered_no_buttons(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    cases = open_cases(live)
    sign_in(page, live, Role.AUDITOR, "audrey")

    expect(page.locator("#queue tbody tr")).to_have_count(len(cases))
    expect(page.locator("#queue button")).to_have_count(0)
    expect(page.locator("#projections")).to_contain_text("audit_ledger")
    assert offline.blocked == []


def test_a_supplier_token_is_refused_and_sees_nothing_of_the_console(offline: Offline) -> None:
    page = offline.page
    sign_in(page, offline.hub, Role.SUPPLIER, "acme-user", "SUP-ACME")

    expect(page.get_by_role("alert")).to_contain_text("this token is refused")
    expect(page.locator("#console")).to_be_hidden()
    expect(page.locator("#queue tbody tr")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0
    assert offline.blocked == []
