"""`supplyhub worker erp` as its own process against the real Tryton, configured only by
SUPPLYHUB_ERP_* settings, and `supplyhub erp status` reading what it did."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tryton_buyer as tb
from tryton_server import TrytonServer

from connectors.erp.tryton.rpc import TrytonClient
from supplyhub.cli import main

pytestmark = pytest.mark.tryton


def erp_status(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["erp", "status", "--json"]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_the_erp_worker_process_pulls_from_tryton_and_its_status_says_so_without_the_password(
    buyer: TrytonClient, tryton_server: TrytonServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    secret = tmp_path / "erp-password"
    secret.write_text(tryton_server.password + "\n")
    env = {
        "SUPPLYHUB_DATA_DIR": str(tmp_path / "hub"), "SUPPLYHUB_ERP_ADAPTER": "tryton",
        "SUPPLYHUB_ERP_URL": tryton_server.url, "SUPPLYHUB_ERP_DATABASE": tryton_server.database,
        "SUPPLYHUB_ERP_USER": tryton_server.user, "SUPPLYHUB_ERP_PASSWORD_FILE": str(secret),
        "SUPPLYHUB_ERP_POLL_SECONDS": "0.1", "SUPPLYHUB_LOG_LEVEL": "DEBUG",
    }  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    party = tb.supplier(buyer, "Worker Supplies")
    purchase = tb.draft_purchase(
        buyer, party, [(tb.product(buyer, tb.new_code()), Decimal(3), Decimal(5))],
        date(2027, 4, 1),
    )  # fmt: skip
    tb.click(buyer, purchase, "quote")

    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "supplyhub"), "worker", "erp"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while (status := erp_status(capsys))["last_success"] is None:
            assert proc.poll() is None, proc.communicate()[0].decode()
            assert time.monotonic() < deadline, status
            time.sleep(0.1)  # polling the status the worker commits each round
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0].decode()

    assert proc.returncode == 0, output
    assert status["erp"] == f"tryton:{tryton_server.database}"
    assert (status["pending_writebacks"], status["last_error"]) == (0, None)
    assert status["purchases_since"] is not None
    assert tryton_server.password not in output


def test_the_erp_worker_refuses_to_start_without_an_adapter_saying_which_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))

    assert main(["worker", "erp"]) == 2
    assert "SUPPLYHUB_ERP_ADAPTER" in capsys.readouterr().err
