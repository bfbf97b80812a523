"""The console's KPI series over HTTP against a real uvicorn and the demo data: the window
(`from`, `to`) it reads, whole weeks, its default, and the errors that name the parameter."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from browser import bearer
from live_server import LiveHub

from api.auth import Role


def series(live: LiveHub, **params: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{live.url}/console/kpis", params=params, headers=bearer(live, Role.AP))
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def refused(live: LiveHub, **params: str) -> dict[str, Any]:
    answer = httpx.get(f"{live.url}/console/kpis", params=params, headers=bearer(live, Role.AP))
    assert answer.status_code == 422, answer.text
    found: dict[str, Any] = answer.json()
    return found


def starts(points: list[dict[str, Any]]) -> list[date]:
    return sorted({date.fromisoformat(p["start"]) for p in points})


def test_the_series_reads_the_days_of_its_window_and_by_default_the_latest_90(
    live: LiveHub,
) -> None:
    every = series(live, period="day", **{"from": "0001-01-01", "to": "9999-12-31"})
    days = starts(every)
    newest, day = days[-1], days[len(days) // 2]

    assert series(live, period="day") == [
        p for p in every if newest - timedelta(days=89) <= date.fromisoformat(p["start"])
    ]
    one_day = series(live, period="day", **{"from": day.isoformat(), "to": day.isoformat()})
    assert one_day == [p for p in every if p["start"] == day.isoformat()]
    assert one_day  # (a day with orders: the demo's)
    assert series(live, period="day", **{"from": "2000-01-01", "to": "2000-01-31"}) == []
    after = (newest + timedelta(days=1)).isoformat()
    assert series(live, period="day", **{"from": after}) == []


def test_a_week_the_window_meets_comes_whole(live: LiveHub) -> None:
    weeks = series(live, period="week", **{"from": "0001-01-01"})
    monday = starts(weeks)[0]
    wednesday = (monday + timedelta(days=2)).isoformat()

    found = series(live, period="week", **{"from": wednesday, "to": wednesday})

    assert found == [p for p in weeks if p["start"] == monday.isoformat()]
    assert found


def test_a_bad_window_is_refused_naming_the_parameter(live: LiveHub) -> None:
    assert refused(live, **{"from": "2026-13-01"})["field"] == "from"
    assert refused(live, period="day", to="yesterday")["field"] == "to"
    backwards = refused(live, **{"from": "2026-12-02", "to": "2026-12-01"})
    assert backwards["field"] == "from"
    assert "on or before to (2026-12-01)" in backwards["rule"]
    assert refused(live, since="2026-12-01")["field"] == "since"
