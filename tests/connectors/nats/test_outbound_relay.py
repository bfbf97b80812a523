"""The relay against a real nats-server: every event once, in order, across crashes."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

import pytest
from nats_helpers import (
    EVENTS,
    Received,
    delete_streams,
    published_events,
    quick_loop,
    read_stream,
    received,
)
from servers import NatsServer

from connectors.demo import run_scenario
from connectors.nats.acks import AckInbox, PublishFailedError, Window
from connectors.nats.relay import Relay, is_published
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from storage.database import Database

pytestmark = pytest.mark.nats


@pytest.fixture
def positions(tmp_path: Path) -> PositionStore:
    return PositionStore(Database.sqlite(tmp_path / "hub.sqlite3"))


@pytest.fixture(autouse=True)
def fresh_streams(nats_server: NatsServer) -> None:
    if not nats_server.running:
        nats_server.start()
    asyncio.run(delete_streams(nats_server.url, EVENTS))


def assert_once_and_in_order(got: list[Received], hub: SupplyHub) -> None:
    expected = published_events(hub)
    assert len(got) == len(expected)
    assert {(r.originator, r.version) for r in got} == set(expected)
    versions: dict[str, list[int]] = defaultdict(list)
    for r in got:
        versions[r.originator].append(r.version)
    assert all(v == sorted(v) for v in versions.values())


async def relay_until(relay: Relay, head: int, timeout: float = 20.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    deadline = asyncio.get_running_loop().time() + timeout
    while relay.positions.get(relay.name) < head:
        assert asyncio.get_running_loop().time() < deadline, "relay did not catch up"
        await asyncio.sleep(0.05)
    stop.set()
    await task


def test_the_relay_publishes_every_event_once_in_log_order_and_tracks_its_position(
    hub: SupplyHub, positions: PositionStore, nats_server: NatsServer
) -> None:
    # given a log with a realistic scenario in it
    run_scenario(hub, 12)
    head = hub.recorder.max_notification_id() or 0
    relay = Relay(hub, positions, nats_server.url, batch_size=40)

    # when the relay catches up, and is started once more
    asyncio.run(relay_until(relay, head))
    asyncio.run(relay_until(relay, head))

    # then the stream holds each event once, in log order, with its subject and headers
    messages = asyncio.run(read_stream(nats_server.url))
    got = received(messages)
    assert_once_and_in_order(got, hub)
    assert [r.position for r in got] == sorted(r.position for r in got)
    assert "supplyhub.events.purchase_order.released" in {r.subject for r in got}
    first_po = next(m for m in messages if m.subject.endswith("purchase_order.released"))
    assert first_po.headers is not None
    assert first_po.headers["Supplyhub-Correlation-Id"].startswith("corr-")
    assert b'"event":{' in first_po.data
    assert positions.get("relay") == head


def test_nats_killed_while_relaying_then_restarted_loses_and_duplicates_nothing(
    hub: SupplyHub, positions: PositionStore, nats_server: NatsServer
) -> None:
    # given a relay publishing a long log in small batches
    run_scenario(hub, 150)
    head = hub.recorder.max_notification_id() or 0
    relay = Relay(
        hub,
        positions,
        nats_server.url,
        batch_size=50,
        ack_timeout_seconds=2,
        loop=quick_loop("relay"),
    )

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        while relay.published < 100:
            await asyncio.sleep(0.001)
        # when NATS crashes mid-stream, stays down a moment, and comes back
        await asyncio.to_thread(nats_server.kill)
        await asyncio.sleep(0.5)
        assert positions.get("relay") < head
        await asyncio.to_thread(nats_server.start)
        deadline = asyncio.get_running_loop().time() + 20
        while positions.get("relay") < head:
            assert asyncio.get_running_loop().time() < deadline, "relay did not catch up"
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(scenario())

    # then a subscriber reading the stream gets every event exactly once, in order per document
    assert_once_and_in_order(received(asyncio.run(read_stream(nats_server.url))), hub)


class CrashAfterPublish(Relay):
    """Dies once between JetStream's acks and the position commit, like a killed process."""

    crashed = False

    async def _wait(self, inbox: AckInbox, window: Window) -> None:
        await super()._wait(inbox, window)
        if not self.crashed and self.published >= 60:
            CrashAfterPublish.crashed = True
            raise SystemExit("killed mid-batch")


def test_a_relay_killed_between_publish_and_commit_republishes_without_duplicates(
    hub: SupplyHub, positions: PositionStore, nats_server: NatsServer
) -> None:
    # given a relay that dies after a batch was acked but before its position was committed
    run_scenario(hub, 40)
    head = hub.recorder.max_notification_id() or 0
    crashing = CrashAfterPublish(hub, positions, nats_server.url, batch_size=30)
    with pytest.raises(SystemExit):
        asyncio.run(crashing.run(asyncio.Event()))
    committed = positions.get("relay")
    assert 0 < committed < head

    # when a fresh relay resumes from the tracked position
    asyncio.run(relay_until(Relay(hub, positions, nats_server.url, batch_size=30), head))

    # then the republished batch was dropped as duplicates: each event is held once
    assert_once_and_in_order(received(asyncio.run(read_stream(nats_server.url))), hub)


def test_replay_republishes_a_range_that_a_subscriber_lost(
    hub: SupplyHub, positions: PositionStore, nats_server: NatsServer
) -> None:
    # given events relayed and then lost downstream (the stream was deleted and recreated)
    run_scenario(hub, 6)
    head = hub.recorder.max_notification_id() or 0
    asyncio.run(relay_until(Relay(hub, positions, nats_server.url), head))
    asyncio.run(delete_streams(nats_server.url, EVENTS))

    # when an operator replays positions 5..20
    sent = asyncio.run(Relay(hub, positions, nats_server.url).replay(5, 20))

    # then exactly those events are back, and the tracked position did not move
    got = received(asyncio.run(read_stream(nats_server.url)))
    assert [r.position for r in got] == [
        n.id for n in hub.recorder.select_notifications(5, 16) if is_published(n.topic)
    ]
    assert sent == len(got)
    assert positions.get("relay") == head


class FailsSecondWindow(Relay):
    """JetStream never acknowledges the second window of publishes."""

    waits = 0

    async def _wait(self, inbox: AckInbox, window: Window) -> None:
        self.waits += 1
        if self.waits == 2:
            raise PublishFailedError("no ack")
        await super()._wait(inbox, window)


def test_a_window_that_was_not_acknowledged_is_never_committed(
    hub: SupplyHub, positions: PositionStore, nats_server: NatsServer
) -> None:
    # given a relay whose second window of 30 events is not acknowledged
    run_scenario(hub, 20)
    relay = FailsSecondWindow(hub, positions, nats_server.url, batch_size=30)

    async def one_session() -> None:
        nc, inbox = await relay._connect()
        try:
            await relay._relay(nc, inbox, asyncio.Event())
        finally:
            await nc.close()

    # when the session fails
    with pytest.raises(PublishFailedError):
        asyncio.run(one_session())

    # then only the acknowledged first window is committed: the rest will be republished
    assert positions.get("relay") == 30
