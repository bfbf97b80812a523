"""Our PostgreSQL recorder reads the log exactly as the library's does, only cheaper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from servers import PostgresServer

from connectors.demo import Scenario
from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.postgres_recorder import BinaryInsertRecorder
from supplyhub.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def demo_hub(postgres_server: PostgresServer) -> Iterator[SupplyHub]:
    url = postgres_server.create_database("recorder_reads")
    hub = open_hub(Settings(database_url=url))
    for step in Scenario(seed=11).steps(12):
        hub.handle(step.command, step.provenance)
    yield hub
    hub.close()


@pytest.mark.parametrize(
    ("start", "limit", "stop", "topics", "inclusive"),
    [
        (1, 10_000, None, (), True),
        (1, 7, None, (), True),
        (5, 50, None, (), False),
        (None, 20, 30, (), True),
        (3, 10_000, 120, ("supplyhub:PurchaseOrder.Released", "supplyhub:Invoice.Submitted"), True),
        (10, 4, None, ("supplyhub:ProcessedMessage.Recorded",), False),
        (1, 10, None, ("no:such.Topic",), True),
        (10_000, 10, None, (), True),
    ],
)
def test_select_notifications_returns_what_the_library_returns(
    demo_hub: SupplyHub,
    start: int | None,
    limit: int,
    stop: int | None,
    topics: tuple[str, ...],
    inclusive: bool,
) -> None:
    recorder = demo_hub.recorder
    assert isinstance(recorder, BinaryInsertRecorder)
    assert (recorder.max_notification_id() or 0) > 100  # a log with every kind of event
    ours = recorder.select_notifications(
        start, limit, stop=stop, topics=topics, inclusive_of_start=inclusive
    )
    theirs = PostgresApplicationRecorder.select_notifications(
        recorder, start, limit, stop=stop, topics=topics, inclusive_of_start=inclusive
    )
    assert ours == theirs
    assert all(type(n.state) is bytes for n in ours)  # not memoryviews: events are kept
