"""The read-side commands end to end on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplyhub.cli import main


def test_status_rebuild_digest_and_verify_work_on_the_demo_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    assert main(["demo", "--purchase-orders", "6"]) == 0
    assert main(["audit", "digest"]) == 0
    kept = capsys.readouterr().out.splitlines()[-1]
    position = kept.split(":")[0]
    assert main(["projections", "rebuild", "purchase_orders"]) == 0
    assert "purchase_orders: version 2 is live" in capsys.readouterr().out
    assert main(["projections", "status"]) == 0
    status = capsys.readouterr().out
    assert f"purchase_orders    2 yes  {int(position):>9} {int(position):>9}       0" in status
    assert main(["audit", "verify", "--expect", kept]) == 0
    assert f"OK: {position} events match the recorded chain" in capsys.readouterr().out
    assert main(["audit", "verify", "--expect", f"{position}:{'0' * 64}"]) == 1
    assert main(["projections", "rebuild", "nonsense"]) == 2
    capsys.readouterr()
    assert main(["projections", "rebuild", "purchase_orders", "--processes", "2"]) == 2
    assert "SQLite has one writer" in capsys.readouterr().err
