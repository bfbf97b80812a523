"""The live runner: wakes on commits, survives a lost NOTIFY by polling, reports its lag."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import pytest
from read_side_helpers import run_steps, snapshot

from connectors.demo import Scenario
from domain import commands as c
from domain.application import SupplyHub
from domain.provenance import Channel
from projections.projection import Processor, Record, Rows
from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import POLL_SECONDS, ReadSide, open_read_side, processors
from supplyhub.settings import Settings


def _release(hub: SupplyHub, scenario: Scenario, number: str) -> int:
    erp = scenario.provenance(Channel.ERP, "erp")
    lines = scenario.lines(1, scenario.now.date())
    hub.handle(c.ReleasePurchaseOrder(number, "SUP-A", "EUR", lines), erp)
    return hub.recorder.max_notification_id() or 0


def test_a_running_runner_shows_a_commit_in_the_portal_view_within_a_fraction_of_a_second(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a started runner that has caught up
    scenario = Scenario(seed=2)
    hub.handle(c.UpsertSupplier("SUP-A", "A"), scenario.provenance(Channel.ERP, "erp"))
    read_side.runner.start()
    # When the ERP releases a purchase order
    head = _release(hub, scenario, "PO-9")
    # Then the supplier's portal view has it well before the poll interval would pass
    assert read_side.runner.wait_until(head, timeout=0.9)
    assert read_side.read_models.purchase_order("PO-9", "SUP-A") is not None
    assert read_side.read_models.purchase_order("PO-9", "SUP-B") is None


@pytest.fixture
def pg_hub(postgres_database: str) -> Iterator[tuple[SupplyHub, Settings]]:
    settings = Settings(database_url=postgres_database, database_schema="lost_notify")
    hub = open_hub(settings)
    yield hub, settings
    hub.close()


@pytest.fixture
def polling_only(pg_hub: tuple[SupplyHub, Settings]) -> Iterator[ReadSide]:
    """The runner as it is after every NOTIFY was lost: nothing but the periodic poll."""
    opened = open_read_side(pg_hub[1], pg_hub[0], listen=False)
    yield opened
    opened.close()


@pytest.mark.postgres
def test_a_lost_notification_is_caught_up_by_the_poll(
    pg_hub: tuple[SupplyHub, Settings], polling_only: ReadSide
) -> None:
    hub = pg_hub[0]
    # Given a runner idle on the poll, which will never hear the NOTIFY of the next commit
    scenario = Scenario(seed=2)
    hub.handle(c.UpsertSupplier("SUP-A", "A"), scenario.provenance(Channel.ERP, "erp"))
    polling_only.runner.start()
    time.sleep(0.2)
    # When a purchase order is released
    started = time.monotonic()
    head = _release(hub, scenario, "PO-7")
    # Then the poll catches it up within one poll interval (plus slack)
    assert polling_only.runner.wait_until(head, timeout=POLL_SECONDS + 1.5)
    assert time.monotonic() - started <= POLL_SECONDS + 1.5
    assert polling_only.read_models.purchase_order("PO-7", None) is not None


def test_status_reports_the_lag_until_the_runner_catches_up(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given events the runner has not seen
    run_steps(hub, purchase_orders=2, seed=9)
    head = hub.recorder.max_notification_id() or 0
    # Then status shows the lag in events and seconds
    before = {s.name: s for s in read_side.status()}
    assert before["purchase_orders"].lag_events == head and before["purchase_orders"].head == head
    assert before["purchase_orders"].lag_seconds >= 0
    # When it catches up, the lag is zero everywhere
    assert read_side.runner.catch_up() == head
    assert all(s.lag_events == 0 and s.lag_seconds == 0 for s in read_side.status())


class EveryEvent:
    """A projection that does not say which topics it reads, so it is fed the whole log."""

    def __init__(self, inner: Processor) -> None:
        self.inner, self.name, self.columns = inner, inner.name, inner.columns

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        return self.inner.process(records, rows)


def test_a_runner_reads_only_its_projections_topics_yet_tracks_every_position(
    hub: SupplyHub, read_side: ReadSide
) -> None:
    # Given a workload whose last events neither the purchase order nor the exception view reads
    run_steps(hub, purchase_orders=4, seed=5)
    late = Scenario(seed=5)
    late.counter = 10_000  # message ids the workload did not use
    hub.handle(c.UpsertSupplier("SUP-Z", "Z"), late.provenance(Channel.ERP, "erp"))
    head = hub.recorder.max_notification_id() or 0
    # When a runner of just those two views catches up in small batches
    views = [p for p in processors() if p.name in ("purchase_orders", "exceptions")]
    runner = ProjectionRunner(
        hub.recorder, hub.mapper.to_domain_event, read_side.store, views, batch_size=4
    )
    read = runner.catch_up()
    # Then it read fewer events than the log holds, and both views are at its head all the same
    assert runner.topics is not None and 0 < read < head
    tracked = {s.name: s for s in read_side.status()}
    assert tracked["purchase_orders"].position == tracked["exceptions"].position == head
    assert tracked["purchase_orders"].lag_events == tracked["exceptions"].lag_events == 0
    assert runner.wait_until(head, timeout=0) and runner.run_batch() == 0
    # And each view equals the one built from every event of the log
    filtered = snapshot(read_side)
    for view in views:
        rebuild(hub.recorder, hub.mapper.to_domain_event, read_side.store, EveryEvent(view))
    assert snapshot(read_side) == filtered
