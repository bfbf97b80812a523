"""A query sent on a live change is answered with the change: the response cache is keyed by
the views' position, which is read at most once per `position_ttl_seconds`; the live feed tells
it each new position before the change goes out, so the answer cached just before is not
handed back (a page re-reading on a change showed the old list until the next change)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ask
from live_server import LiveHub, serving

from supplyhub.settings import Settings

CASES = "{ exceptions(first: 100) { items { key } totalCount } }"
RESOLVE = """mutation($key: String!) {
  resolveException(idempotencyKey: $key, input: {key: $key, resolution: "sorted"}) {
    __typename } }"""


@pytest.fixture
def slow_to_reread(tmp_path: Path) -> Iterator[LiveHub]:
    """A hub that takes the views' position as current for a minute once it read it."""
    with serving(Settings(data_dir=tmp_path, dev_mode=True)) as live:
        live.app.state.position.ttl = 60.0
        yield live


def test_an_answer_cached_before_a_change_is_not_served_after_the_feed_learned_it(
    slow_to_reread: LiveHub,
) -> None:
    live = slow_to_reread
    before = ask(live, CASES)["exceptions"]  # cached under the position read now
    key = before["items"][0]["key"]

    assert ask(live, RESOLVE, key=key)["resolveException"]["__typename"] == "Accepted"
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=5)  # the runner woke the feed

    after = ask(live, CASES)["exceptions"]
    assert after["totalCount"] == before["totalCount"] - 1
    assert key not in {case["key"] for case in after["items"]}
