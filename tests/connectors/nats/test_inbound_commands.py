"""The inbound worker against real NATS and PostgreSQL: commands in, acked after commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import nats
import pytest
from eventsourcing.application import AggregateNotFoundError
from inbound_fixtures import release, revise, upsert_supplier
from nats_helpers import COMMANDS, delete_streams, eventually
from servers import NatsServer, PostgresServer

from connectors.database import Database
from connectors.nats.command_messages import InboundMessage
from connectors.nats.dead_letters import DeadLetterStore
from connectors.nats.inbound import InboundWorker
from connectors.nats.streams import ensure_stream
from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings

pytestmark = [pytest.mark.nats, pytest.mark.postgres]


@pytest.fixture(scope="module")
def settings(postgres_server: PostgresServer) -> Settings:
    return Settings(database_url=postgres_server.create_database("backbone_inbound"))


@pytest.fixture
def hub(settings: Settings) -> Iterator[SupplyHub]:
    app = open_hub(settings)
    yield app
    app.close()


@pytest.fixture
def worker(hub: SupplyHub, settings: Settings, nats_server: NatsServer) -> InboundWorker:
    if not nats_server.running:
        nats_server.start()
    asyncio.run(delete_streams(nats_server.url, COMMANDS))
    store = DeadLetterStore(Database(settings.database_url, settings.database_schema))
    return InboundWorker(hub, store, nats_server.url, retry_seconds=0.001, batch_size=20)


async def send(url: str, *messages: InboundMessage) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, COMMANDS, ["supplyhub.commands.>"])
        for m in messages:
            await js.publish(m.subject, m.body, headers=m.headers)
    finally:
        await nc.close()


async def consumer_state(url: str) -> tuple[int, int]:
    """(messages not yet delivered, delivered but not acked) on the worker's consumer."""
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().consumer_info(COMMANDS, "supplyhub-inbound")
        return info.num_pending or 0, info.num_ack_pending or 0
    finally:
        await nc.close()


def revision_of(hub: SupplyHub, po: str) -> int | None:
    try:
        found = hub.repository.get(PurchaseOrder.create_id(po))
    except AggregateNotFoundError:
        return None
    return found.revision if isinstance(found, PurchaseOrder) else None


def test_commands_sent_on_nats_are_applied_once_and_acked_after_commit(
    hub: SupplyHub, worker: InboundWorker, nats_server: NatsServer
) -> None:
    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        # given an ERP connector sending a release and a revision, the revision twice
        await send(nats_server.url, upsert_supplier("SUP-ACME"), release("4501"))
        await send(nats_server.url, revise("4501", 2, "150"), revise("4501", 2, "150"))

        # then the document reaches revision 2 and every message is acked
        async def settled() -> bool:
            return await consumer_state(nats_server.url) == (0, 0) and worker.applied >= 3

        await eventually(settled)
        stop.set()
        await task

    asyncio.run(scenario())
    assert revision_of(hub, "4501") == 2
    assert worker.applied == 3  # the duplicate Nats-Msg-Id was dropped by the stream
    assert worker.dead_letters.all() == []


def test_a_poison_command_on_nats_lands_in_the_dead_letters_and_parks_its_document(
    hub: SupplyHub, worker: InboundWorker, nats_server: NatsServer
) -> None:
    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        # given a release for an unknown supplier, its revision, and another document
        await send(
            nats_server.url,
            upsert_supplier("SUP-ACME"),
            release("4502", supplier="SUP-GHOST"),
            revise("4502", 2, "10"),
            release("4503"),
        )

        async def settled() -> bool:
            return await consumer_state(nats_server.url) == (0, 0)

        await eventually(settled)
        stop.set()
        await task

    asyncio.run(scenario())
    # then the poison release is a dead letter with its reason, its revision is parked,
    # and the other document flowed
    [dead] = worker.dead_letters.all()
    assert dead.document == "po:4502"
    assert "unknown supplier 'SUP-GHOST'" in dead.reason
    assert dead.parked == 1
    assert revision_of(hub, "4502") is None
    assert revision_of(hub, "4503") == 1
