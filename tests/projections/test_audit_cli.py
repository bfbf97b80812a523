"""The audit chain through the CLI: verify is read-only and compares the log with the chain
as it was recorded; rebuild refuses to re-chain a tampered log; positions and signed
checkpoints anchor the chain outside the database."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from servers import NatsServer

from supplyhub.cli import main

KEY = "a-checkpoint-key-kept-off-the-database"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's 56 events, chained, in an embedded store; returns the database file."""
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYHUB_AUDIT_KEY", raising=False)
    assert main(["demo", "--purchase-orders", "4"]) == 0
    return tmp_path / "data" / "hub.sqlite3"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(list(argv))
    said = capsys.readouterr()
    return status, said.out + said.err  # refusals go to stderr, reports to stdout


def forge_event(database: Path) -> int:
    """As an attacker with database access: a copy of PO 4500000001's release appended as
    its next version (what made `serve` show the PO at revision 1 again)."""
    with sqlite3.connect(database) as conn:
        oid, topic, state = conn.execute(
            "SELECT originator_id, topic, state FROM stored_events WHERE rowid = 2"
        ).fetchone()
        (last,) = conn.execute(
            "SELECT max(originator_version) FROM stored_events WHERE originator_id = ?", (oid,)
        ).fetchone()
        cur = conn.execute(
            "INSERT INTO stored_events VALUES (?, ?, ?, ?)", (oid, last + 1, topic, state)
        )
        return int(cur.lastrowid or 0)


def edit_event(database: Path, position: int) -> None:
    with sqlite3.connect(database) as conn:
        (state,) = conn.execute(
            "SELECT state FROM stored_events WHERE rowid = ?", (position,)
        ).fetchone()
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state) + b" ", position)
        )


def test_an_event_edited_into_text_by_hand_is_reported_altered_without_a_traceback(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an event edited with SQL's replace(), which leaves text where bytes were
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE stored_events SET state = replace(state, '2', '3') WHERE rowid = 12")
    # Then verify names it, and the ledger's rebuild refuses, each with a message
    status, said = run(capsys, "audit", "verify")
    assert status == 1
    assert "TAMPERED: event at position 12 was altered" in said
    status, said = run(capsys, "projections", "rebuild", "audit_ledger")
    assert status == 2
    assert "event at position 12 was altered" in said


def test_verify_reports_a_forged_event_as_not_chained_and_never_chains_it(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a chained log, and an event forged into it afterwards
    _, head = run(capsys, "audit", "digest")
    position = forge_event(store)
    # When the auditor verifies, twice
    status, said = run(capsys, "audit", "verify")
    again, said_again = run(capsys, "audit", "verify")
    # Then the forged event is named as outside the recorded chain, and verify did not chain it
    assert status == again == 0
    assert f"NOT YET CHAINED: 1 events from position {position}" in said
    assert said == said_again
    assert run(capsys, "audit", "digest")[1] == head


def test_verify_works_on_a_read_only_copy_and_writes_nothing(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a copy of the store with an event not chained yet, made read-only in its header
    # (write version 3: SQLite refuses every write, as for root, who ignores file modes)
    forge_event(store)
    copy = tmp_path / "copy"
    copy.mkdir()
    with sqlite3.connect(store) as source, sqlite3.connect(copy / "hub.sqlite3") as target:
        source.backup(target)
    with (copy / "hub.sqlite3").open("r+b") as file:
        file.seek(18)
        file.write(bytes([3]))
    before = hashlib.sha256((copy / "hub.sqlite3").read_bytes()).hexdigest()
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(copy))
    # When the auditor verifies the copy
    status, said = run(capsys, "audit", "verify")
    # Then it answers from the copy as it is, and the copy is unchanged
    assert status == 0, said
    assert "OK: 56 events match the recorded chain" in said
    assert "NOT YET CHAINED: 1 events from position 57" in said
    assert hashlib.sha256((copy / "hub.sqlite3").read_bytes()).hexdigest() == before


def test_verify_of_a_missing_store_is_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path / "nothing-here"))
    status, said = run(capsys, "audit", "verify")
    assert status == 2
    assert said.startswith("cannot verify: no event store at")
    assert not (tmp_path / "nothing-here").exists()


def test_rebuilding_the_ledger_over_an_edited_log_is_refused(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an event edited in the store
    edit_event(store, 12)
    # When the operator rebuilds the audit ledger
    status, said = run(capsys, "projections", "rebuild", "audit_ledger")
    # Then it is refused, and verify still names the edit
    assert status == 2
    assert "the recorded chain disagrees with the log: event at position 12 was altered" in said
    status, said = run(capsys, "audit", "verify")
    assert status == 1
    assert "TAMPERED: event at position 12 was altered" in said
    # And only --force re-chains the log as it is
    assert run(capsys, "projections", "rebuild", "audit_ledger", "--force")[0] == 0
    assert run(capsys, "audit", "verify")[0] == 0


def test_expect_checks_the_chain_at_its_position_so_later_events_do_not_fail_it(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the digest an auditor kept, and legitimate events recorded after it
    status, kept = run(capsys, "audit", "digest")
    assert status == 0
    position, digest = kept.strip().split(":")
    assert position == "56" and len(digest) == 64
    assert main(["demo", "--purchase-orders", "6"]) == 0
    # Then the kept digest still verifies; another digest at that position does not
    status, said = run(capsys, "audit", "verify", "--expect", kept.strip())
    assert status == 0, said
    assert "EXPECTED: the chain at position 56" in said
    status, said = run(capsys, "audit", "verify", "--expect", f"56:{'0' * 64}")
    assert status == 1
    assert f"MISMATCH: the chain at position 56 is {digest}, not the expected" in said
    # And a position past the log's end is a mismatch too, not a pass
    status, said = run(capsys, "audit", "verify", "--expect", f"99999:{digest}")
    assert status == 1 and "MISMATCH: the log ends at" in said


def test_a_signed_checkpoint_exposes_a_log_rewritten_and_rechained_behind_it(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a checkpoint signed with a key the database never holds
    monkeypatch.setenv("SUPPLYHUB_AUDIT_KEY", KEY)
    status, said = run(capsys, "audit", "checkpoint")
    assert status == 0, said
    checkpoints = store.parent / "audit-checkpoints.jsonl"
    (line,) = checkpoints.read_text().splitlines()
    assert json.loads(line)["position"] == 56
    assert KEY not in store.read_bytes().decode("latin-1")
    # When an event behind it is edited and the ledger force-rebuilt over the edit
    edit_event(store, 12)
    assert run(capsys, "projections", "rebuild", "audit_ledger", "--force")[0] == 0
    # Then the log agrees with its new chain, but not with what was signed
    status, said = run(capsys, "audit", "verify")
    assert status == 1
    assert "OK: 56 events match the recorded chain" in said
    assert "CHECKPOINT: checkpoint line 1 of " in said
    assert "the chain at position 56 is not the one signed then" in said


def test_an_edited_checkpoint_or_a_missing_key_fails_verification(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYHUB_AUDIT_KEY", KEY)
    assert run(capsys, "audit", "checkpoint")[0] == 0
    assert run(capsys, "audit", "verify")[1].endswith("checkpoints: 1 signed checkpoints hold\n")
    checkpoints = store.parent / "audit-checkpoints.jsonl"
    doc = json.loads(checkpoints.read_text())
    checkpoints.write_text(json.dumps({**doc, "position": 55}) + "\n")
    status, said = run(capsys, "audit", "verify")
    assert status == 1
    assert "checkpoint line 1 (position 55) has a signature that does not match" in said
    monkeypatch.delenv("SUPPLYHUB_AUDIT_KEY")
    status, said = run(capsys, "audit", "verify")
    assert status == 1 and "1 checkpoints cannot be checked without the key" in said
    status, said = run(capsys, "audit", "checkpoint")
    assert status == 1 and "no checkpoint written: no audit key" in said


@pytest.mark.nats
def test_checkpoints_on_the_nats_stream_expose_a_truncated_checkpoint_file(
    store: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    nats_server: NatsServer,
) -> None:
    # Given checkpoints written to the file and to a NATS stream of their own
    monkeypatch.setenv("SUPPLYHUB_AUDIT_KEY", KEY)
    monkeypatch.setenv("SUPPLYHUB_NATS_URL", nats_server.url)
    monkeypatch.setenv("SUPPLYHUB_AUDIT_NATS_STREAM", f"AUDIT_{uuid.uuid4().hex[:8].upper()}")
    assert run(capsys, "audit", "checkpoint")[0] == 0
    assert main(["demo", "--purchase-orders", "6"]) == 0
    assert run(capsys, "audit", "checkpoint")[0] == 0
    assert run(capsys, "audit", "verify")[0] == 0
    # When someone truncates the file to its first line and rewrites the log behind the second
    checkpoints = store.parent / "audit-checkpoints.jsonl"
    first, second = checkpoints.read_text().splitlines()
    checkpoints.write_text(first + "\n")
    edit_event(store, 60)
    assert run(capsys, "projections", "rebuild", "audit_ledger", "--force")[0] == 0
    # Then the stream still holds the second checkpoint, and verify says so
    status, said = run(capsys, "audit", "verify")
    assert status == 1
    assert "the checkpoint file holds 1 checkpoints, the NATS stream 2" in said
    assert f"the chain at position {json.loads(second)['position']} is not the one signed" in said
