"""The console's alerts panel in a real browser (the system Chromium, driven by Playwright),
on the demo data, with every request that does not go to the hub aborted: the operator sees
the alerts the worker sent and failed, and the rules with who set them; she creates a rule on
the page (a bad one is answered naming the field), sees the alert it routes, disables and
deletes it; a buyer sees the rules read only; an AP clerk sees no panel.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps console-alerts.png and console-alert-rule.png."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from browser import Offline, bearer, token
from live_server import LiveHub
from playwright.sync_api import Page, expect
from pydantic import SecretStr
from receivers import webhook_receiver

from api.auth import Role
from supplyhub import alerts


def define(live: LiveHub, name: str, **terms: object) -> None:
    headers = {**bearer(live, Role.ADMIN), "Idempotency-Key": str(uuid.uuid4())}
    answer = httpx.put(f"{live.url}/api/v1/alerts/rules/{name}", json=terms, headers=headers)
    assert answer.status_code == 200, answer.text


def send_alerts(live: LiveHub) -> list[dict[str, object]]:
    """Two rules on every breached case, one to a receiver that refuses them; the worker run
    once with its clock past every due time."""
    with webhook_receiver() as accepting, webhook_receiver([400] * 1000) as refusing:
        define(live, "breached", trigger="sla_breached", destination="webhook",
               target=accepting.url)  # fmt: skip
        define(live, "acme-refused", trigger="sla_breached", supplier="SUP-ACME",
               destination="webhook", target=refusing.url)  # fmt: skip
        run_worker_past_every_due_time(live)
    found = httpx.get(f"{live.url}/api/v1/alerts", headers=bearer(live, Role.ADMIN)).json()
    assert isinstance(found, list)
    return found


def sign_in(page: Page, live: LiveHub, role: Role, subject: str) -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, role, subject))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {subject}")).to_be_visible()


def test_the_operator_sees_the_alerts_sent_and_failed_and_the_rules(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    sent = send_alerts(live)
    failed = [a for a in sent if a["status"] == "failed"]
    assert failed and len(failed) < len(sent)

    sign_in(page, live, Role.ADMIN, "olga")

    panel = page.locator("#alerts-panel")
    expect(panel.locator("#alerts tbody tr")).to_have_count(len(sent))
    expect(page.locator("#alerts-summary")).to_have_text(
        f"{len(sent)} latest alerts, {len(failed)} failed"
    )
    refused = panel.locator(f'#alerts tr[data-alert="{failed[0]["alert_id"]}"]')
    expect(refused).to_contain_text("acme-refused")
    expect(refused).to_contain_text("HTTP 400")
    expect(refused.locator("td.alarm")).to_have_text("failed")
    rules = panel.locator("#alert-rules tbody tr")
    expect(rules).to_have_count(2)
    expect(rules.filter(has_text="acme-refused")).to_contain_text("supplier SUP-ACME")
    expect(rules.filter(has_text="breached").first).to_contain_text("admin:admin-user")
    panel.screenshot(path=screenshots / "console-alerts.png")
    assert offline.blocked == []


def run_worker_past_every_due_time(live: LiveHub) -> None:
    live.read_side.runner.catch_up()
    cases = live.read_side.read_models.exceptions(None, "open")
    later = max(case.due_at for case in cases) + timedelta(minutes=1)
    settings = live.settings.model_copy(
        update={"alerts_webhook_secret": SecretStr("a-secret-of-16-chars")}
    )
    alerts.build_worker(settings, live.hub, lambda: later).step()


def test_the_operator_creates_a_rule_on_the_page_and_sees_the_alert_it_routes(
    offline: Offline, screenshots: Path
) -> None:
    page, live = offline.page, offline.hub
    sign_in(page, live, Role.ADMIN, "olga")
    panel = page.locator("#alerts-panel")

    with webhook_receiver() as receiver:
        page.get_by_role("button", name="New rule…").click()
        dialog = page.locator("#rule-dialog")
        dialog.get_by_label("Name", exact=True).fill("acme-late")
        dialog.get_by_label("When").select_option("sla_breached")
        dialog.get_by_label("Supplier (empty: any)").fill("SUP-ACME")
        dialog.get_by_label("URL, or addresses separated by commas").fill("ops.example/hook")
        dialog.get_by_label("Why?").fill("ACME's late answers hold up the line")
        dialog.get_by_role("button", name="Save rule").click()

        expect(dialog.locator('#rule-problem li[data-field="target"]')).to_have_text(
            "target: must be an http(s) URL for a webhook"
        )
        expect(dialog.locator("#rule-target")).to_have_attribute("aria-invalid", "true")
        dialog.screenshot(path=screenshots / "console-alert-rule.png")
        dialog.get_by_label("URL, or addresses separated by commas").fill(receiver.url)
        dialog.get_by_role("button", name="Save rule").click()
        expect(dialog).to_be_hidden()
        rule = panel.locator('#alert-rules tr[data-rule="acme-late"]')
        expect(rule).to_contain_text("supplier SUP-ACME")
        expect(rule.locator("td.state")).to_have_text("enabled")
        expect(rule).to_contain_text("admin:olga")
        expect(rule.locator("td.why")).to_have_text("ACME's late answers hold up the line")

        run_worker_past_every_due_time(live)
        page.get_by_role("button", name="Refresh").click()

        routed = panel.locator("#alerts tbody tr").filter(has_text="acme-late")
        expect(routed.first).to_be_visible()
        expect(routed.first.locator("td.status")).to_have_text("sent")
        assert receiver.requests, "the rule made on the page routed no alert"
        assert routed.count() == len(receiver.requests)

    rule.get_by_role("button", name="Edit").click()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("acme-late")
    dialog.get_by_label("Send to").select_option("email")
    dialog.get_by_label("URL, or addresses separated by commas").fill("ap-lead@plant.example")
    dialog.get_by_label("Why?").fill("the hook is retired")
    dialog.get_by_role("button", name="Save rule").click()
    expect(rule).to_contain_text("email: ap-lead@plant.example")
    expect(rule.locator("td.why")).to_have_text("the hook is retired")
    rule.get_by_role("button", name="Disable").click()
    page.locator("#rule-change-dialog").get_by_label("Why?").fill("ACME on shutdown")
    page.locator("#rule-change-dialog").get_by_role("button", name="Disable").click()
    expect(rule.locator("td.state")).to_have_text("disabled")
    expect(rule.locator("td.why")).to_have_text("ACME on shutdown")
    rule.get_by_role("button", name="Delete").click()
    page.locator("#rule-change-dialog").get_by_label("Why?").fill("replaced")
    page.locator("#rule-change-dialog").get_by_role("button", name="Delete").click()
    expect(rule).to_have_count(0)
    assert offline.blocked == []


def test_a_buyer_sees_the_rules_read_only_and_an_ap_clerk_no_panel(offline: Offline) -> None:
    page, live = offline.page, offline.hub
    define(live, "everything", trigger="opened", destination="email", target="ops@plant.example")

    sign_in(page, live, Role.BUYER, "bea")

    rule = page.locator('#alert-rules tr[data-rule="everything"]')
    expect(rule).to_contain_text("email: ops@plant.example")
    expect(rule.get_by_role("button")).to_have_count(0)
    expect(page.locator("#new-rule")).to_be_hidden()
    expect(page.locator("#alert-rules-note")).to_have_text("Read only: an admin changes the rules.")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live, Role.AP, "ada")
    expect(page.locator("#queue tbody tr").first).to_be_visible()
    expect(page.locator("#alerts-panel")).to_be_hidden()
    assert offline.blocked == []
