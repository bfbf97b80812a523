"""Comments on exception cases in the console, in a real browser (the system Chromium, driven by
Playwright) on the demo data, every request not to the hub aborted: a buyer comments in the
case dialog and sees the comment there and the count on the row, without a reload; the hub's
refusal names the field; markup in a comment is shown as text.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps docs/screenshots/console-comments.png."""

from __future__ import annotations

from pathlib import Path

from browser import Offline, ask, token
from live_server import LiveHub
from playwright.sync_api import Page, expect

from api.auth import Role

OPEN_CASES = """{ exceptions(status: open, first: 100) {
  items { key ownerRole commentCount } } }"""
COMMENTS = """query($key: String!) { exceptionCase(key: $key) {
  commentCount comments { actor text } } }"""


def uncommented_case(live: LiveHub) -> str:
    cases = ask(live, OPEN_CASES)["exceptions"]["items"]
    key: str = next(c["key"] for c in cases if c["ownerRole"] == "buyer" and not c["commentCount"])
    return key


def sign_in(page: Page, live: LiveHub, role: Role, subject: str) -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, role, subject))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#live-state")).to_have_text("Live updates: on")


def test_a_buyer_comments_on_a_case_and_sees_it_in_the_dialog_and_counted_on_the_row(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    key = uncommented_case(live)
    sign_in(page, live, Role.BUYER, "bea")
    row = page.locator(f'#queue tr[data-key="{key}"]')
    expect(row.locator("td.comment-count")).to_have_text("")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    row.get_by_role("button", name="Comment").click()
    dialog = page.locator("#case-dialog")
    expect(dialog.locator("#case-comments-none")).to_be_visible()
    expect(dialog.locator("#case-text")).to_be_hidden()  # the owner's box is another action's
    dialog.get_by_label("Your comment").fill("Called Acme: new date on Friday.\nWill check again.")
    dialog.get_by_role("button", name="Add comment").click()

    comments = dialog.locator("#case-comments li")
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text("buyer:bea")
    expect(comments.first.locator("p")).to_have_text(
        "Called Acme: new date on Friday.\nWill check again."
    )
    expect(row.locator("td.comment-count")).to_have_text("1")
    expect(dialog.get_by_label("Your comment")).to_have_value("")  # ready for the next one
    page.screenshot(path=screenshots / "console-comments.png", full_page=False)
    # A second comment in the same dialog is a new one (a new key), shown last
    dialog.get_by_label("Your comment").fill("Acme confirmed.")
    dialog.get_by_role("button", name="Add comment").click()
    expect(comments).to_have_count(2)
    expect(comments.last.locator("p")).to_have_text("Acme confirmed.")
    expect(row.locator("td.comment-count")).to_have_text("2")
    assert page.evaluate("window.sameDocument") is True
    assert ask(live, COMMENTS, key=key)["exceptionCase"]["comments"] == [
        {"actor": "buyer:bea", "text": "Called Acme: new date on Friday.\nWill check again."},
        {"actor": "buyer:bea", "text": "Acme confirmed."},
    ]
    assert offline.blocked == []


def test_an_empty_comment_is_refused_with_the_field_named_and_nothing_is_recorded(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    key = uncommented_case(live)
    sign_in(page, live, Role.BUYER, "bea")
    row = page.locator(f'#queue tr[data-key="{key}"]')

    row.get_by_role("button", name="Comment").click()
    dialog = page.locator("#case-dialog")
    dialog.get_by_label("Your comment").fill("   ")
    dialog.get_by_role("button", name="Add comment").click()

    expect(dialog.locator("#case-problem")).to_have_text("text: must not be empty")
    expect(dialog).to_be_visible()
    assert ask(live, COMMENTS, key=key)["exceptionCase"]["commentCount"] == 0
    assert offline.blocked == []


def test_markup_in_a_comment_is_shown_as_text_never_run_as_html(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    key = uncommented_case(live)
    hostile = '<img src=x onerror="window.pwned=1"><b>bold</b><script>window.pwned=2</script>'
    sign_in(page, live, Role.BUYER, "bea")
    row = page.locator(f'#queue tr[data-key="{key}"]')

    row.get_by_role("button", name="Comment").click()
    dialog = page.locator("#case-dialog")
    dialog.get_by_label("Your comment").fill(hostile)
    dialog.get_by_role("button", name="Add comment").click()

    comment = dialog.locator("#case-comments li p")
    expect(comment).to_have_text(hostile)
    expect(
        dialog.locator("#case-comments img, #case-comments b, #case-comments script")
    ).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    assert offline.blocked == []  # the <img> fetched nothing


def test_an_auditor_sees_the_comment_count_and_is_offered_no_button(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    cases = ask(live, OPEN_CASES)["exceptions"]["items"]
    counted = [c for c in cases if c["commentCount"]]
    sign_in(page, live, Role.AUDITOR, "audrey")

    expect(page.locator("#queue tbody tr")).to_have_count(len(cases))
    for case in counted:
        row = page.locator(f'#queue tr[data-key="{case["key"]}"]')
        expect(row.locator("td.comment-count")).to_have_text(str(case["commentCount"]))
    expect(page.locator("#queue button")).to_have_count(0)
    assert offline.blocked == []
