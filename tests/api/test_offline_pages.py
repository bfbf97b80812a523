"""GraphiQL, Swagger UI and ReDoc in a real browser (the system Chromium, driven by Playwright)
with every request that does not go to the hub aborted: the pages work with no internet.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps the screenshots for the docs; otherwise they go
to a temporary directory."""

from __future__ import annotations

from pathlib import Path

from browser import Offline, token
from playwright.sync_api import expect

from api.auth import Role


def test_graphiql_runs_a_query_and_shows_the_demo_purchase_orders_offline(
    offline: Offline, screenshots: Path
) -> None:
    page = offline.page
    page.goto(f"{offline.hub.url}/graphql")
    page.get_by_role("button", name="Headers").click()
    page.locator(".graphiql-editor-tool .CodeMirror").last.click()
    page.keyboard.insert_text(f'{{"Authorization": "Bearer {token(offline.hub, Role.BUYER)}"}}')
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(
        '{ purchaseOrder(number: "4500000006") { number supplier lines { item } } }'
    )
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()

    result = page.locator(".result-window")
    expect(result).to_contain_text('"supplier": "SUP-BOREAL"')
    expect(result).to_contain_text('"item": "BOLT-M8"')
    expect(result).not_to_contain_text('"errors"')
    page.screenshot(path=screenshots / "graphiql.png")
    assert offline.blocked == []


def test_swagger_ui_authorizes_with_a_token_and_tries_out_a_get_offline(
    offline: Offline, screenshots: Path
) -> None:
    page = offline.page
    page.goto(f"{offline.hub.url}/docs")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_label("auth-bearer-value").fill(token(offline.hub, Role.BUYER))
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(dialog).to_contain_text("Logout")
    dialog.get_by_role("button", name="Close").click()

    operation = page.locator("#operations-purchase_orders-read_api_v1_purchase_orders__number__get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("input[placeholder='number']").fill("4500000006")
    operation.get_by_role("button", name="Execute").click()

    live_answer = operation.locator(".live-responses-table .response")
    expect(live_answer.locator(".response-col_status")).to_have_text("200")
    expect(live_answer).to_contain_text('"supplier": "SUP-BOREAL"')
    live_answer.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "swagger-ui.png")
    assert offline.blocked == []


def test_redoc_renders_the_operation_list_offline(offline: Offline, screenshots: Path) -> None:
    page = offline.page
    page.goto(f"{offline.hub.url}/redoc")

    menu = page.locator(".menu-content")
    expect(menu).to_contain_text("Release a purchase order (revision 1)")
    expect(menu).to_contain_text("Apply many commands")
    expect(page.get_by_text("Authorization", exact=False).first).to_be_visible()
    page.screenshot(path=screenshots / "redoc.png")
    assert offline.blocked == []
