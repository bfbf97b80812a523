"""The live feed takes a change's events from the projection runner's batches when they cover
it exactly, and reads the log when they do not (offline: a fake source, no server)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from api.graphql.live import Change, LiveFeed, timeline_of


class Source:
    """Stands in for `Notifications`: the views are at position 10 when the feed starts."""

    def __init__(self) -> None:
        self.read_models = self
        self.changes: list[tuple[int, int, Sequence[Any] | None]] = []

    def position(self) -> int:
        return 10

    def prime(self, cases: bool) -> int:
        return 10

    def change(
        self, after: int, upto: int, wanted: frozenset[str], records: Sequence[Any] | None
    ) -> Change:
        self.changes.append((after, upto, records))  # records None: the log would be read
        return Change(upto)


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.001)


def test_the_feed_takes_the_runners_events_and_reads_the_log_only_for_a_change_they_miss() -> None:
    async def scenario() -> list[tuple[int, int, Sequence[Any] | None]]:
        source = Source()
        feed = LiveFeed(source)  # type: ignore[arg-type]
        async with feed.subscribe(timeline_of("d")):
            await until(lambda: feed.watching)
            feed.wake(10, 12, ["event 11", "event 12"])  # follows on from 10
            await until(lambda: len(source.changes) == 1)
            feed.wake(15, 17, ["event 16", "event 17"])  # (12, 15] never handed over
            await until(lambda: len(source.changes) == 2)
        return source.changes

    assert asyncio.run(scenario()) == [(10, 12, ["event 11", "event 12"]), (12, 17, None)]
