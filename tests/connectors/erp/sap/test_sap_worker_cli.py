"""`supplyhub worker erp` as its own process against mock-sap, configured only by
SUPPLYHUB_ERP_* settings (adapter `sap`), and `supplyhub erp status` reading what it did."""

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
from sap_system import MockSap

from connectors.erp.hub import HubOrdersOf
from connectors.erp.seam import KnownOrder
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.settings import Settings

pytestmark = pytest.mark.mock_sap


def erp_status(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["erp", "status", "--json"]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_the_erp_worker_process_pulls_from_sap_and_its_status_says_so_without_the_password(
    sap: MockSap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    secret = tmp_path / "erp-password"
    secret.write_text(sap.password + "\n")
    env = {
        "SUPPLYHUB_DATA_DIR": str(tmp_path / "hub"), "SUPPLYHUB_ERP_ADAPTER": "sap",
        "SUPPLYHUB_ERP_URL": sap.url, "SUPPLYHUB_ERP_USER": sap.user,
        "SUPPLYHUB_ERP_PASSWORD_FILE": str(secret), "SUPPLYHUB_ERP_POLL_SECONDS": "0.1",
        "SUPPLYHUB_LOG_LEVEL": "DEBUG",
    }  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sap.create_supplier("3999001", "Worker Supplies")
    number = sap.create_po("3999001", [("TG14", Decimal(3), Decimal(5))], date(2027, 4, 1))

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
    assert status["erp"] == f"sap:{sap.url.removeprefix('http://')}"
    assert (status["pending_writebacks"], status["last_error"]) == (0, None)
    assert status["suppliers_since"] is not None and status["purchases_seen"] >= 1
    assert sap.password not in output
    hub = open_hub(Settings(data_dir=tmp_path / "hub"))
    try:
        assert HubOrdersOf(hub).known_order(number) == KnownOrder(1, "open")
    finally:
        hub.close()


def test_the_sap_adapter_needs_no_database_but_a_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SUPPLYHUB_ERP_ADAPTER", "sap")
    monkeypatch.setenv("SUPPLYHUB_ERP_URL", "http://127.0.0.1:9")

    assert main(["worker", "erp"]) == 2
    error = capsys.readouterr().err
    assert "SUPPLYHUB_ERP_USER" in error and "SUPPLYHUB_ERP_DATABASE" not in error
