"""A rebuild split between processes (PostgreSQL) gives exactly the one-process views."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from read_side_helpers import run_steps, snapshot

from domain.application import SupplyHub
from domain.shipment import Shipment
from projections.projection import PartError, Projection
from projections.rebuild.blue_green import Helper, rebuild
from projections.rebuild.parts import ProjectionPart, Segment, segments
from projections.views.exception_queue import exception_queue
from projections.views.purchase_orders import purchase_orders
from supplyhub import read_side as read_side_module
from supplyhub.read_side import ReadSide, RebuildRefusedError
from supplyhub.rebuild_part import ChildPart
from supplyhub.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(postgres_database: str) -> Settings:
    """Only PostgreSQL splits a rebuild: this module's `hub` and `read_side` are on it."""
    return Settings(database_url=postgres_database, database_schema=f"p_{uuid.uuid4().hex[:12]}")


def test_views_rebuilt_in_parts_equal_the_incrementally_built_ones(
    hub: SupplyHub, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a random workload with ASNs, receipts, invoices and cases (link rows) followed live
    seed = random.randrange(1_000_000)
    run_steps(hub, purchase_orders=14, seed=seed)
    read_side.runner.catch_up()
    incremental = snapshot(read_side)
    links = [key for key, _ in incremental["purchase_orders"] if ":" in key and
             not key.startswith("purchaseorder:")]  # fmt: skip
    assert {key.split(":")[0] for key in links} >= {"shipment", "invoice"}, f"seed {seed}"
    started: list[ChildPart] = []
    monkeypatch.setattr(read_side_module, "ChildPart", _recording(started))
    # When each view that names its documents is rebuilt by 2 and by 3 processes, in batches
    # small enough that links and the documents they reach fall in different batches
    read_side.rebuild_batch = 25
    for processes in (2, 3):
        for name in ("purchase_orders", "exceptions"):
            read_side.rebuild(name, processes=processes)
    # Then other processes did build parts, and every row is the one-process build's
    assert len(started) == 2 * (1 + 2)
    assert all(child.proc.returncode == 0 for child in started)
    assert snapshot(read_side) == incremental, f"seed {seed}"
    head = hub.recorder.max_notification_id() or 0
    assert {(s.version, s.position) for s in read_side.status() if s.name in
            ("purchase_orders", "exceptions")} == {(3, head)}  # fmt: skip


def test_a_long_log_is_split_by_default_and_a_short_one_is_not(
    hub: SupplyHub, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_steps(hub, purchase_orders=4, seed=8)
    read_side.runner.catch_up()
    before = snapshot(read_side)
    started: list[ChildPart] = []
    monkeypatch.setattr(read_side_module, "ChildPart", _recording(started))
    read_side.rebuild("purchase_orders")  # far below PARTS_FROM_EVENTS: one process
    assert started == []
    # What counts is the view's own events: more of them than the threshold splits it
    cases = hub.recorder.select_notifications(1, 10_000, topics=exception_queue.topics or ())
    monkeypatch.setattr(read_side_module, "PARTS_FROM_EVENTS", len(cases) + 1)
    assert read_side.processes_for("exceptions") == 1
    read_side.rebuild("purchase_orders")  # one per CPU, at most MAX_PARTS
    assert len(started) == min(read_side_module.MAX_PARTS, read_side_module.os.cpu_count() or 1) - 1
    assert snapshot(read_side) == before
    monkeypatch.setattr(read_side_module, "PARTS_FROM_EVENTS", len(cases))
    assert read_side.processes_for("exceptions") > 1 or read_side_module.os.cpu_count() == 1


def test_a_failed_part_fails_the_rebuild_and_leaves_the_live_version_serving(
    hub: SupplyHub, read_side: ReadSide, settings: Settings
) -> None:
    # Given views up to date with a workload
    before = _views_after_workload(hub, read_side, seed=5)

    # When the other process's part fails (sent to a version with no table, and given every
    # document, so that it surely reads that table)
    def launch(segment: Segment, version: int, until: int) -> Helper:
        return ChildPart(_job(settings, Segment(1, 2), version + 100, until))

    with pytest.raises(RuntimeError, match=r"rebuild part 2 of 2 failed \(exit 1\): .*does not"):
        rebuild(hub.recorder, hub.mapper.to_domain_event, read_side.store,
                purchase_orders, None, 20, parts=2, launch=launch)  # fmt: skip
    # Then reads still come from version 1, unchanged, and the half-built version is gone
    assert {(s.version, s.live) for s in read_side.status()} == {(1, True)}
    assert snapshot(read_side) == before


def test_when_this_process_fails_its_parts_elsewhere_are_stopped(
    hub: SupplyHub, read_side: ReadSide, settings: Settings
) -> None:
    before = _views_after_workload(hub, read_side, seed=6)
    started: list[ChildPart] = []

    def launch(segment: Segment, version: int, until: int) -> Helper:
        started.append(ChildPart(_job(settings, segment, version, until)))
        return started[-1]

    decoded = 0

    def decode_then_fail(notification: Any) -> Any:
        nonlocal decoded
        decoded += 1
        if decoded > 3:
            raise RuntimeError("this process dies mid-rebuild")
        return hub.mapper.to_domain_event(notification)

    with pytest.raises(RuntimeError, match="dies mid-rebuild"):
        rebuild(hub.recorder, decode_then_fail, read_side.store, purchase_orders,
                None, 20, parts=2, launch=launch)  # fmt: skip
    assert len(started) == 1 and started[0].proc.poll() is not None  # stopped and reaped
    assert {(s.version, s.live) for s in read_side.status()} == {(1, True)}
    assert snapshot(read_side) == before


def test_a_part_decodes_only_the_events_that_may_reach_its_documents(
    hub: SupplyHub,
) -> None:
    run_steps(hub, purchase_orders=10, seed=7)
    notifications = hub.recorder.select_notifications(1, 10_000)
    parts = [ProjectionPart(purchase_orders, segment) for segment in segments(3)]
    for notification in notifications:
        wanted_by = sum(part.needs(notification) for part in parts)
        if notification.topic.startswith("supplyhub:PurchaseOrder."):
            assert wanted_by == 1  # its own document's part only
        elif purchase_orders.evolvers_for(notification.topic):
            assert wanted_by == 3  # its keys come from its payload: every part reads it
        else:
            assert wanted_by == 0
    po_keys = [f"purchaseorder:{uuid.uuid4()}" for _ in range(300)]
    owners = [sum(part.segment.owns(key) for part in parts) for key in po_keys]
    assert owners == [1] * 300
    assert all(sum(p.segment.owns(k) for k in po_keys) > 50 for p in parts)  # a fair split
    # An uneven split (the part built in the rebuilding process takes more) still covers all
    uneven = segments(3, first=0.6)
    assert [sum(s.owns(k) for s in uneven) for k in po_keys] == [1] * 300
    assert sum(uneven[0].owns(k) for k in po_keys) > 300 * 0.45


def test_a_projection_whose_keys_look_up_another_parts_document_cannot_be_split() -> None:
    peeking = Projection("peeking", (), lambda view: (), split_by="doc:")
    other = f"doc:{uuid.uuid4()}"

    @peeking.on(Shipment.Submitted, keys=lambda event, lookup: [(lookup(other) or "", "")])
    def never(view: Any, event: Any, ref: str) -> Any:
        return view

    part = ProjectionPart(peeking, next(s for s in segments(2) if not s.owns(other)))
    record = _Record("supplyhub:Shipment.Submitted")
    with pytest.raises(PartError, match=f"looked up {other}, another part's document"):
        part.process([record], _NoRows())  # type: ignore[list-item]
    with pytest.raises(PartError, match="must end with its UUID"):
        part.segment.owns("doc:not-an-id")
    with pytest.raises(ValueError, match="names no documents"):
        ProjectionPart(Projection("whole", (), lambda view: ()), Segment(0, 2))


def test_only_postgres_and_views_that_name_their_documents_take_processes(
    read_side: ReadSide,
) -> None:
    with pytest.raises(RebuildRefusedError, match="audit_ledger cannot be split"):
        read_side.rebuild("audit_ledger", processes=2)
    with pytest.raises(RebuildRefusedError, match="at least 1"):
        read_side.rebuild("purchase_orders", processes=0)
    assert {s.version for s in read_side.status()} == {1}


def _views_after_workload(hub: SupplyHub, read_side: ReadSide, seed: int) -> Any:
    run_steps(hub, purchase_orders=6, seed=seed)
    read_side.runner.catch_up()
    return snapshot(read_side)


def _job(settings: Settings, segment: Segment, version: int, until: int) -> dict[str, Any]:
    return {
        "database_url": settings.database_url,
        "database_schema": settings.database_schema,
        "name": "purchase_orders", "index": segment.index, "count": segment.count,
        "low": segment.low, "high": segment.high,
        "version": version, "until": until, "batch_size": 20,
        "parent": read_side_module.os.getpid(),
    }  # fmt: skip


def _recording(started: list[ChildPart]) -> Callable[[dict[str, Any]], ChildPart]:
    def start(job: dict[str, Any]) -> ChildPart:
        started.append(ChildPart(job))
        return started[-1]

    return start


class _Record:
    def __init__(self, topic: str) -> None:
        self.notification = type("N", (), {"topic": topic})()
        self.event = object()


class _NoRows:
    def load(self, keys: Any) -> dict[str, str]:
        return {}

    def upsert(self, rows: Any) -> None:
        raise AssertionError("nothing is written")

    def last(self) -> None:
        return None
