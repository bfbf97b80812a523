"""The console's alerts panel in a real browser (the system Chromium, driven by Playwright),
on the demo data, with every request that does not go to the hub aborted: the operator sees
the alerts the worker sent and failed, and the rules with who set them; a buyer sees no panel.

SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps console-alerts.png."""

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
        live.read_side.runner.catch_up()
        cases = live.read_side.read_models.exceptions(None, "open")
        later = max(case.due_at for case in cases) + timedelta(minutes=1)
        settings = live.settings.model_copy(
            update={"alerts_webhook_secret": SecretStr("a-secret-of-16-chars")}
        )
        alerts.build_worker(settings, live.hub, lambda: later).step()
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


def test_a_buyer_is_shown_no_alerts_panel(offline: Offline) -> None:
    page, live = offline.page, offline.hub

    sign_in(page, live, Role.BUYER, "bea")

    expect(page.locator("#queue tbody tr").first).to_be_visible()
    expect(page.locator("#alerts-panel")).to_be_hidden()
    assert offline.blocked == []
