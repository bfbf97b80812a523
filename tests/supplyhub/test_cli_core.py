"""`supplyhub demo` and `supplyhub history` as a new user runs them, on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplyhub.cli import main


@pytest.fixture
def seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("SUPPLYHUB_DATABASE_URL", raising=False)
    assert main(["demo", "--purchase-orders", "12"]) == 0
    return capsys.readouterr().out


def test_the_demo_seeds_every_kind_of_outcome(seeded: str) -> None:
    for status in ("applied", "stale", "escalated", "matched", "duplicate"):
        assert f"commands {status}" in seeded
    assert "events in the log" in seeded


def test_running_the_demo_twice_writes_nothing_new(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    events = [line for line in seeded.splitlines() if "events in the log" in line]

    assert main(["demo", "--purchase-orders", "12"]) == 0
    again = capsys.readouterr().out

    assert "replayed (already seen)" in again
    assert [line for line in again.splitlines() if "events in the log" in line] == events


def test_history_shows_who_said_what_and_the_state_at_a_revision(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "4500000004", "--revision", "1"]) == 0
    out = capsys.readouterr().out

    assert "Released" in out and "Revised" in out and "StaleResponseRecorded" in out
    assert "via edifact" in out
    assert "State revision 1: revision 1" in out


def test_history_of_an_unknown_order_says_so(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "NOPE"]) == 1
    assert "purchase order NOPE not found" in capsys.readouterr().err
