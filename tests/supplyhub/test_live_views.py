"""An API beside separate workers on PostgreSQL (`serve --api-only`): the views' commit wakes
its live feed through NOTIFY; nothing polls for it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.demo import Scenario
from domain import commands as c
from domain.application import SupplyHub
from domain.provenance import Channel
from supplyhub.bootstrap import open_hub
from supplyhub.live_views import ViewsFollower
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings


@pytest.fixture
def workers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[SupplyHub, ReadSide, Settings]]:
    """The workers' side: the hub and a runner stepped by the test, not started."""
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, database_schema="live_views")
    hub = open_hub(settings)
    side = open_read_side(settings, hub)
    yield hub, side, settings
    side.close()
    hub.close()


def _woken_past(woken: list[int], position: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if woken and woken[-1] > position:
            return True
        time.sleep(0.01)
    return False


def test_the_views_commit_hands_the_new_position_to_the_feed_without_any_poll(
    workers: tuple[SupplyHub, ReadSide, Settings],
) -> None:
    hub, side, settings = workers
    woken: list[int] = []
    # Given a follower whose only wait is a minute long: a position within seconds is NOTIFY's
    follower = ViewsFollower(
        settings.database_url, settings.database_schema, side.read_models.position,
        lambda _after, position: woken.append(position),
    ).start()  # fmt: skip
    try:
        start = woken[-1]  # handed over once at start: the feed begins there
        scenario = Scenario(seed=3)
        lines = scenario.lines(1, scenario.now.date())
        hub.handle(c.UpsertSupplier("SUP-L", "L"), scenario.provenance(Channel.ERP, "erp"))
        release = c.ReleasePurchaseOrder("PO-L1", "SUP-L", "EUR", lines)
        hub.handle(release, scenario.provenance(Channel.ERP, "erp"))
        # When the workers' runner commits the views
        side.runner.catch_up()
        # Then the feed is handed the position the views reached
        assert _woken_past(woken, start, seconds=5)
        assert woken[-1] == side.read_models.position() == hub.recorder.max_notification_id()
    finally:
        follower.stop()


def test_nothing_is_read_while_nobody_subscribes(
    workers: tuple[SupplyHub, ReadSide, Settings],
) -> None:
    hub, side, settings = workers
    reads: list[int] = []
    watched = [False]

    def position() -> int:
        reads.append(1)
        return side.read_models.position()

    follower = ViewsFollower(
        settings.database_url, settings.database_schema, position,
        lambda _after, _position: None, watched=lambda: watched[0],
    ).start()  # fmt: skip
    try:
        scenario = Scenario(seed=4)
        hub.handle(c.UpsertSupplier("SUP-M", "M"), scenario.provenance(Channel.ERP, "erp"))
        side.runner.catch_up()
        time.sleep(0.3)  # what would have been read meanwhile
        assert len(reads) == 1  # only the hand-over at start
        # Once someone subscribes, the next commit is read
        watched[0] = True
        hub.handle(c.UpsertSupplier("SUP-N", "N"), scenario.provenance(Channel.ERP, "erp"))
        side.runner.catch_up()
        deadline = time.monotonic() + 5
        while len(reads) == 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(reads) >= 2
    finally:
        follower.stop()
