"""The KPI charts' window in a real browser (the system Chromium, driven by Playwright), on
the demo data, with every request that does not go to the hub aborted: the dates asked are
the series drawn, and a window ending before it starts is refused in the page's words."""

from __future__ import annotations

from typing import Any

import httpx
from browser import Offline, token
from live_server import LiveHub
from playwright.sync_api import Page, expect

from api.auth import Role


def sign_in(page: Page, live: LiveHub) -> None:
    page.goto(f"{live.url}/console")
    page.get_by_label("Token").fill(token(live, Role.BUYER, "bea"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as bea")).to_be_visible()


def series(live: LiveHub, **params: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token(live, Role.BUYER)}"}
    answer = httpx.get(f"{live.url}/console/kpis", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_the_charts_draw_the_window_asked_and_say_why_a_backwards_one_is_refused(
    offline: Offline,
) -> None:
    page, live = offline.page, offline.hub
    days = sorted({p["start"] for p in series(live, period="day", **{"from": "0001-01-01"})})
    first, last = days[0], days[min(2, len(days) - 1)]
    window = series(live, period="day", **{"from": first, "to": last})
    with_latency = [p for p in window if p["kpis"]["ack_latency_median_hours"] is not None]
    sign_in(page, live)

    page.get_by_label("Per").select_option("day")
    page.get_by_label("Released from").fill(first)
    page.get_by_label("Released to").fill(last)

    expect(page.locator("#kpi-shown")).to_have_text(f"Shown: {first} to {last}.")
    expect(page.locator("#chart-ack-latency circle.point")).to_have_count(len(with_latency))
    for chart, field in (("ack-within-sla", "ack_within_sla_share"),
                         ("asn-complete", "asn_completeness_share")):  # fmt: skip
        drawn = [p for p in window if p["kpis"][field] is not None]
        assert drawn, field
        expect(page.locator(f"#chart-{chart} circle.point")).to_have_count(len(drawn))
    page.get_by_label("Released from").fill("2999-01-01")
    expect(page.locator("#problem")).to_contain_text("from: must be on or before to")
    assert offline.blocked == []
