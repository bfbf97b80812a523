"""`supplyhub dlq retry|drop` on the embedded store: the same release the console's buttons
ask for, recorded with who ran it (the OS user) and why."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.nats.command_messages import InboundMessage
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import dead_letter_store


def test_a_retry_from_the_cli_applies_the_dead_letter_and_records_who_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUPPLYHUB_DATABASE_URL", raising=False)
    assert main(["demo", "--purchase-orders", "4"]) == 0
    store = dead_letter_store(Settings(data_dir=tmp_path))
    message = InboundMessage(
        "supplyhub.commands.cancel_purchase_order", {"Nats-Msg-Id": "erp-cancel-1"},
        json.dumps({"po_number": "4500000002"}).encode(),
    )  # fmt: skip
    store.bury("po:4500000002", message, "timeout", 5, datetime.now(UTC))
    capsys.readouterr()

    code = main(["dlq", "retry", "po:4500000002", "--reason", "store back"])

    assert code == 0, capsys.readouterr().out
    assert "Retried po:4500000002: 1 command(s) applied" in capsys.readouterr().out
    assert store.all() == []
    done = store.actions()[0]
    assert (done.document, done.action, done.actor, done.reason, done.applied) == (
        "po:4500000002", "retry", getpass.getuser(), "store back", 1,
    )  # fmt: skip
