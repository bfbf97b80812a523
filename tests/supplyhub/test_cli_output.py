"""The CLI as scripts use it: results on stdout (JSON with --json), errors on stderr with a
non-zero status, `| head` without a traceback, `--version`, and times with their offset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from supplyhub.cli import main

NAIVE = "2026-12-01T19:23:54"  # REST refuses it too: tests/api/test_history_times.py


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo seeded once into an embedded store that every test here reads."""
    data_dir = tmp_path_factory.mktemp("cli-store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPLYHUB_DATA_DIR", str(data_dir))
        patch.delenv("SUPPLYHUB_DATABASE_URL", raising=False)
        assert main(["demo", "--purchase-orders", "12"]) == 0
        yield data_dir


@pytest.fixture
def seeded(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(store))
    monkeypatch.delenv("SUPPLYHUB_DATABASE_URL", raising=False)
    capsys.readouterr()


def supplyhub(*args: str, close_stdout_at_once: bool = False) -> subprocess.CompletedProcess[str]:
    """The command as a shell runs it, in its own process."""
    command = [sys.executable, "-c", "import sys; from supplyhub.cli import main; sys.exit(main())"]
    process = subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ.copy(),
    )  # fmt: skip
    if close_stdout_at_once:  # like `| head -0`: the reader is gone before the first line
        assert process.stdout is not None
        process.stdout.close()
        stderr = process.stderr.read() if process.stderr else ""
        return subprocess.CompletedProcess(args, process.wait(), "", stderr)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.startswith("supplyhub 0.")


def test_an_unknown_order_is_said_on_stderr_with_a_failing_status(
    seeded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "NOPE"]) == 1
    said = capsys.readouterr()
    assert said.out == ""
    assert "purchase order NOPE not found" in said.err


def test_a_token_request_that_breaks_the_supplier_rule_is_refused_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "create", "--role", "buyer", "--supplier", "SUP-ACME"]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert "--supplier is required for --role supplier" in said.err


def test_history_as_json_is_the_rest_answer(
    seeded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "4500000004", "--revision", "1", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["number"] == "4500000004"
    assert answer["events"][0]["event"] == "Released"
    assert answer["state"]["revision"] == 1
    assert {"line_number", "ack_status", "received"} <= set(answer["state"]["lines"][0])


def test_projection_status_as_json_lists_every_projection(
    seeded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["projections", "status", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"purchase_orders", "exceptions"} <= {row["name"] for row in rows}
    assert all(row["lag_events"] == 0 for row in rows if row["live"])


def test_a_time_without_offset_is_refused_by_the_cli_naming_the_argument(
    seeded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["history", "4500000004", "--as-of", NAIVE])
    said = capsys.readouterr().err
    assert exit.value.code == 2
    assert "--as-of" in said and "no UTC offset" in said and f"{NAIVE}+00:00" in said


def test_a_time_with_offset_or_z_is_taken_by_the_cli(
    seeded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "4500000004", "--as-of", f"{NAIVE}Z", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == "4500000004"


def test_a_reader_that_leaves_early_gets_no_broken_pipe_traceback(seeded: None) -> None:
    ran = supplyhub("history", "4500000004", close_stdout_at_once=True)
    assert "Traceback" not in ran.stderr and "BrokenPipeError" not in ran.stderr
    assert ran.returncode == 141
