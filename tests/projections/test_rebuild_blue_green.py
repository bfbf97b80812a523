"""Rebuilding a view from zero gives exactly the view built incrementally, on both backends."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Sequence

from read_side_helpers import run_steps, snapshot

from domain.application import SupplyHub
from projections.projection import Rows
from projections.read_models import PurchaseOrderFilter
from projections.rebuild.blue_green import rebuild
from projections.records import Record
from projections.runner import ProjectionRunner
from supplyhub.projection_set import processors
from supplyhub.read_side import ReadSide


def test_every_view_rebuilt_from_zero_equals_the_incrementally_built_one(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a random workload applied while the live runner follows it in small batches
    seed = random.randrange(1_000_000)
    read_side.runner.batch_size = random.choice([3, 7, 50])
    read_side.runner.start()
    run_steps(hub, purchase_orders=12, seed=seed)
    head = hub.recorder.max_notification_id() or 0
    assert read_side.runner.wait_until(head, timeout=20), f"seed {seed}"
    read_side.runner.stop()
    incremental = snapshot(read_side)
    served = len(read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 500).items)
    seen_during_rebuild: list[int] = []

    def progress(position: int, head: int) -> None:
        page = read_side.read_models.purchase_orders(None, PurchaseOrderFilter(), 500)
        seen_during_rebuild.append(len(page.items))

    # When every projection is rebuilt blue/green from position 0 (small batches, many steps)
    read_side.rebuild_batch = 40
    for name in read_side.names():
        read_side.rebuild(name, progress)
    # Then reads kept answering from the complete live version all along
    assert seen_during_rebuild and set(seen_during_rebuild) == {served}
    # Then every row is the same, and reads now come from version 2
    assert snapshot(read_side) == incremental, f"seed {seed}"
    assert all(s.version == 2 and s.position == head for s in read_side.status())
    assert len(incremental["purchase_orders"]) > 12
    assert incremental["case_comments"], f"seed {seed}"  # comments were rebuilt too


class CrashError(Exception):
    pass


class CrashingProjection:
    """Writes nothing itself; raises on the n-th record it sees, inside the batch transaction."""

    name = "purchase_orders"

    def __init__(self, crash_at: int) -> None:
        self.inner = next(p for p in processors() if p.name == self.name)
        self.columns = self.inner.columns
        self.crash_at = crash_at

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        applied = self.inner.process(records, rows)  # rows are written, then the crash
        if any(r.position >= self.crash_at for r in records):
            raise CrashError(f"killed at {self.crash_at}")
        return applied


def test_a_runner_killed_mid_batch_resumes_with_no_loss_and_no_double_counting(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a workload and a runner that dies in the middle of its third batch
    run_steps(hub, purchase_orders=8, seed=3)
    crashing = [p for p in processors() if p.name != "purchase_orders"]
    runner = ProjectionRunner(
        hub.recorder, hub.mapper.to_domain_event, read_side.store,
        [*crashing, CrashingProjection(crash_at=45)], batch_size=20,
    )  # fmt: skip
    with contextlib.suppress(CrashError):
        runner.catch_up()
    # Then the two committed batches stand and the third left nothing behind
    assert {s.position for s in read_side.status()} == {40}
    # When a healthy runner resumes
    read_side.runner.catch_up()
    resumed = snapshot(read_side)
    # Then the views equal a clean build from zero: nothing lost, nothing counted twice
    read_side.rebuild("purchase_orders")
    assert snapshot(read_side) == resumed


def test_a_rebuild_that_fails_midway_leaves_the_live_version_serving(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given views up to date with a workload
    run_steps(hub, purchase_orders=8, seed=4)
    read_side.runner.catch_up()
    before = snapshot(read_side)
    live = {s.name: s.version for s in read_side.status() if s.live}
    # When a rebuild of the purchase orders dies after some batches were written
    store = read_side.store
    with contextlib.suppress(CrashError):
        rebuild(hub.recorder, hub.mapper.to_domain_event, store, CrashingProjection(45), None, 20)
    # Then reads still come from the same live version, unchanged, and the half-built one is gone
    after = read_side.status()
    assert {s.name: s.version for s in after if s.live} == live
    assert all(s.live for s in after)
    assert snapshot(read_side) == before
    # And a rebuild that completes still equals the incremental build
    read_side.rebuild("purchase_orders")
    assert snapshot(read_side) == before
