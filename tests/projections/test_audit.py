"""Audit: time travel to a revision, and a hash chain that names the first tampered event."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from read_side_helpers import run_steps

from connectors.demo import Scenario
from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.provenance import Channel
from domain.purchase_order import PurchaseOrder
from projections.audit_checkpoints import parse
from supplyhub.audit import verify_store
from supplyhub.read_side import ReadSide, RebuildRefusedError, open_read_side
from supplyhub.settings import Settings


def test_time_travel_returns_exactly_the_state_at_revision_k(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a purchase order acknowledged at revision 1, as the live view showed it then
    s = Scenario(seed=1)
    erp, supplier = (Channel.ERP, "erp"), (Channel.PORTAL, "supplier:SUP-A", "SUP-A")
    hub.handle(c.UpsertSupplier("SUP-A", "Supplier A"), s.provenance(*erp))
    lines = s.lines(2, s.now.date())
    hub.handle(c.ReleasePurchaseOrder("PO-1", "SUP-A", "EUR", lines), s.provenance(*erp))
    answers = (
        c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),
        c.LineAnswer(20, AckStatus.ACCEPTED, "ACCEPTED"),
    )
    hub.handle(c.AcknowledgePurchaseOrder("PO-1", 1, answers), s.provenance(*supplier))
    read_side.runner.catch_up()
    at_revision_1 = read_side.read_models.purchase_order("PO-1", None)
    # When the ERP revises it and the supplier answers revision 2
    changed = (lines[0], replace(lines[1], quantity=Decimal(999)))
    hub.handle(c.RevisePurchaseOrder("PO-1", 2, changed), s.provenance(*erp))
    hub.handle(c.AcknowledgePurchaseOrder("PO-1", 2, answers[:1]), s.provenance(*supplier))
    read_side.runner.catch_up()
    # Then the state at revision 1 is exactly what the view showed then; revision 2 is now
    assert at_revision_1 is not None and at_revision_1.revision == 1
    assert read_side.purchase_order_as_of("PO-1", revision=1) == at_revision_1
    now = read_side.read_models.purchase_order("PO-1", None)
    assert read_side.purchase_order_as_of("PO-1", revision=2) == now
    assert read_side.purchase_order_as_of("PO-1", revision=3) is None
    history = read_side.history(str(PurchaseOrder.create_id("PO-1")))
    assert [e.event for e in history] == [
        "PurchaseOrder.Released",
        "PurchaseOrder.Acknowledged",
        "PurchaseOrder.Revised",
        "PurchaseOrder.Acknowledged",
    ]
    assert [e.revision for e in history] == [1, 1, 2, 2]
    assert history[1].actor == "supplier:SUP-A" and history[1].channel == "portal"


def _execute(settings: Settings, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
    """Run SQL straight against the event table, as an attacker with database access would."""
    if settings.uses_postgres:
        with psycopg.connect(settings.database_url, autocommit=False) as conn:
            conn.execute(f"SET search_path TO {settings.database_schema}")
            for sql, params in statements:
                conn.execute(sql.replace("?", "%s").replace("rowid", "notification_id"), params)
        return
    with sqlite3.connect(settings.data_dir / "hub.sqlite3") as conn:
        for sql, params in statements:
            conn.execute(sql.replace("hub_events", "stored_events"), params)


def _row(settings: Settings, position: int) -> tuple[Any, ...]:
    sql = "SELECT originator_id, originator_version, topic, state FROM hub_events WHERE rowid = ?"
    if settings.uses_postgres:
        with psycopg.connect(settings.database_url) as conn:
            conn.execute(f"SET search_path TO {settings.database_schema}")
            found = conn.execute(sql.replace("?", "%s").replace("rowid", "notification_id"),
                                 (position,)).fetchone()  # fmt: skip
    else:
        with sqlite3.connect(settings.data_dir / "hub.sqlite3") as conn:
            found = conn.execute(sql.replace("hub_events", "stored_events"), (position,)).fetchone()
    assert found is not None
    return tuple(found)


_SET = "UPDATE hub_events SET originator_id = ?, originator_version = ?, topic = ?, state = ? "


@pytest.mark.parametrize("tampering", ["altered", "deleted", "reordered"])
def test_audit_verify_names_the_first_tampered_event(
    settings: Settings, hub: SupplyHub, read_side: ReadSide, tampering: str
) -> None:
    # Given a chained log whose head digest the auditor kept
    run_steps(hub, purchase_orders=4, seed=5)
    read_side.runner.catch_up()
    clean = read_side.verify_audit()
    assert clean.ok and clean.head_digest == read_side.digest().digest
    # When someone with database access tampers with the event at position 12
    statements: list[tuple[str, tuple[Any, ...]]]
    if tampering == "altered":
        oid, version, topic, state = _row(settings, 12)
        statements = [(_SET + "WHERE rowid = ?", (oid, version, topic, bytes(state) + b" ", 12))]
    elif tampering == "deleted":
        statements = [("DELETE FROM hub_events WHERE rowid = ?", (12,))]
    else:
        first, second = _row(settings, 12), _row(settings, 13)
        statements = [
            (
                _SET + "WHERE rowid = ?",
                ("00000000-0000-0000-0000-000000000000", -1, first[2], first[3], 12),
            ),
            (_SET + "WHERE rowid = ?", (*first, 13)),
            (_SET + "WHERE rowid = ?", (*second, 12)),
        ]
    _execute(settings, statements)
    # Then verification names that position and what happened to it
    found = read_side.verify_audit()
    assert found.finding is not None
    assert (found.finding.position, found.finding.problem) == (12, tampering)
    assert found.checked == 11


def test_the_live_runner_signs_a_checkpoint_every_so_many_events_that_verify_accepts(
    settings: Settings, hub: SupplyHub, tmp_path: Path
) -> None:
    # Given a key and a checkpoint every 50 events, by settings
    keyed = settings.model_copy(
        update={
            "audit_key": SecretStr("a-checkpoint-key-kept-off-the-database"),
            "audit_checkpoint_file": tmp_path / "checkpoints.jsonl",
            "audit_checkpoint_every_events": 50,
            "audit_checkpoint_every_seconds": 0,
        }
    )
    read_side = open_read_side(keyed, hub)
    try:
        hook = read_side.runner.after_batch
        assert hook is not None
        # When the runner has chained the first events, and later the rest
        run_steps(hub, purchase_orders=1, seed=5)
        read_side.runner.catch_up()
        first = read_side.runner.position()
        hook(first)
        signed_early = (tmp_path / "checkpoints.jsonl").exists()
        run_steps(hub, purchase_orders=4, seed=6)
        read_side.runner.catch_up()
        hook(read_side.runner.position())
        head = read_side.digest()
    finally:
        read_side.close()
    # Then one checkpoint was signed once 50 events had passed, at the chain's head
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert first < 50 <= head.position and not signed_early
    assert [parse(line).position for line in lines] == [head.position]
    assert parse(lines[0]).digest == head.digest
    # And verify checks it against the log
    report = verify_store(keyed)
    assert report.ok and report.checkpoints == 1


def test_the_ledger_refuses_to_rechain_an_edited_log_and_the_read_only_verify_names_it(
    settings: Settings, hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a chained log with an event edited behind the chain's head
    run_steps(hub, purchase_orders=4, seed=5)
    read_side.runner.catch_up()
    oid, version, topic, state = _row(settings, 12)
    _execute(settings, [(_SET + "WHERE rowid = ?", (oid, version, topic, bytes(state) + b" ", 12))])
    # When the ledger is rebuilt, and the store verified read-only
    with pytest.raises(RebuildRefusedError, match="event at position 12 was altered"):
        read_side.rebuild("audit_ledger")
    report = verify_store(settings)
    # Then the recorded chain was kept, and it still tells the edit
    assert report.verification.finding is not None
    assert (report.verification.finding.position, report.verification.finding.problem) == (
        12, "altered",
    )  # fmt: skip
    assert [s.version for s in read_side.status() if s.name == "audit_ledger"] == [1]
