"""Event backbone benchmark (issue 5): relay throughput against raw nats-py `publish_async` of
the same messages on the same server, commit -> subscriber receipt latency at a steady event
rate, and inbound commands applied per second on PostgreSQL.

Run: .venv/bin/python tests/connectors/nats/bench_nats.py [--pos 1500] [--rate 200] [--seconds 10]
Starts its own PostgreSQL and nats-server (tests/servers.py); prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))  # for servers
# The repository before tests/: tests/connectors/ would shadow the connectors package.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import nats
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from servers import start_nats, start_postgres

from connectors.demo import Scenario
from connectors.nats.command_messages import SUBJECT_PREFIX, to_body
from connectors.nats.dead_letters import DeadLetterStore
from connectors.nats.inbound import InboundWorker
from connectors.nats.relay import EVENT_SUBJECTS, OutboundMessage, Relay
from connectors.nats.streams import ensure_stream
from connectors.workers.positions import PositionStore
from domain import commands as c
from domain.application import BatchItem, SupplyHub
from domain.provenance import Channel, Provenance
from storage.database import Database
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings
from supplyhub.workers import INBOUND_ANSWER_TABLES

WIRE_NAMES = {cls: name for name, cls in c.COMMANDS.items()}


def seed(hub: SupplyHub, pos: int) -> int:
    items = [BatchItem(s.command, s.provenance) for s in Scenario(11).steps(pos)]
    for i in range(0, len(items), 200):
        hub.handle_batch(items[i : i + 200])
    return hub.recorder.max_notification_id() or 0


async def raw_publish(url: str, messages: list[OutboundMessage], run: int) -> float:
    """The baseline: the same subjects' shape, headers and payloads, straight publish_async."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "BENCH_RAW", ["bench.raw.>"])
        started = time.perf_counter()
        for i, m in enumerate(messages):
            headers = {**m.headers, "Nats-Msg-Id": f"raw-{run}-{i}"}
            await js.publish_async("bench.raw" + m.subject[len("supplyhub.events") :],
                                   m.payload, headers=headers)  # fmt: skip
        await js.publish_async_completed()
        return time.perf_counter() - started
    finally:
        await nc.close()


async def fresh_stream(url: str, name: str) -> None:
    """A relay run into an empty stream, so JetStream stores (not dedupes) every message."""
    nc = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(name)
    finally:
        await nc.close()


async def relay_all(relay: Relay, events: int) -> float:
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    while relay.published < events:  # in memory: polling the store would slow the loop down
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    return elapsed


def bench_throughput(settings: Settings, nats_url: str, pos: int) -> None:
    hub = open_hub(settings)
    seed(hub, pos)
    positions = PositionStore(Database(settings.database_url))
    relay = Relay(hub, positions, nats_url, name="bench-read")
    messages: list[OutboundMessage] = []
    position = 0
    while batch := relay._read(position + 1, None):  # the whole log, as the relay reads it
        messages += [m for _, m in batch if m is not None]
        position = batch[-1][0]
    size = statistics.mean(len(m.payload) for m in messages)
    # Alternate the two, three times each, and compare medians: one run is under a second
    # and this machine is shared, so single runs swing by +-30 %.
    raw_rates, relay_rates = [], []
    for run in range(3):
        raw_rates.append(len(messages) / asyncio.run(raw_publish(nats_url, messages, run)))
        asyncio.run(fresh_stream(nats_url, "SUPPLYHUB_EVENTS"))
        relay = Relay(hub, positions, nats_url, name=f"bench-{run}")
        relay_rates.append(len(messages) / asyncio.run(relay_all(relay, len(messages))))
    raw_rate, relay_rate = statistics.median(raw_rates), statistics.median(relay_rates)
    print(f"relay throughput ({len(messages)} events, mean payload {size:.0f} B, PostgreSQL log, "
          "median of 3 alternating runs)")  # fmt: skip
    print(f"  raw nats-py publish_async : {raw_rate:8.0f} msgs/s  {_rates(raw_rates)}")
    print(f"  relay (read+publish+track): {relay_rate:8.0f} events/s  {_rates(relay_rates)}")
    print(f"  ratio relay / raw         : {relay_rate / raw_rate:8.2f}  (target >= 0.8)")
    hub.close()


def _rates(rates: list[float]) -> str:
    return "(" + ", ".join(f"{r:.0f}" for r in rates) + ")"


async def bench_latency(settings: Settings, nats_url: str, rate: int, seconds: float) -> None:
    hub = open_hub(settings)
    relay = Relay(hub, PositionStore(Database(settings.database_url)), nats_url, name="latency")
    relay.positions.set("latency", hub.recorder.max_notification_id() or 0)
    committed: dict[str, float] = {}
    received: dict[str, float] = {}
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js, "SUPPLYHUB_EVENTS", [EVENT_SUBJECTS])

    async def on_event(msg: nats.aio.msg.Msg) -> None:
        if msg.headers and (message_id := msg.headers.get("Supplyhub-Message-Id")):
            received.setdefault(message_id, time.perf_counter())

    await js.subscribe(EVENT_SUBJECTS, cb=on_event, ordered_consumer=True,
                       deliver_policy=DeliverPolicy.NEW)  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    interval, started = 1 / rate, time.perf_counter()
    for n in range(1, int(rate * seconds) + 1):
        await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
        message_id = f"lat-{n}"
        # a new supplier each time: one event, and no aggregate that grows with the run
        command = c.UpsertSupplier(f"SUP-LAT-{n}", f"Latency {n}")
        await asyncio.to_thread(hub.handle, command, _provenance(message_id))
        committed[message_id] = time.perf_counter()
    await asyncio.sleep(1.0)
    stop.set()
    await task
    await nc.close()
    latencies = sorted((received[k] - t) * 1000 for k, t in committed.items() if k in received)
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]
    print(f"commit -> subscriber receipt at {rate} events/s for {seconds:.0f} s (PostgreSQL)")
    print(f"  received {len(latencies)}/{len(committed)}; p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"(target p99 < 100 ms)")  # fmt: skip
    hub.close()


def _provenance(message_id: str) -> Provenance:
    return Provenance(message_id, message_id, message_id, "bench", Channel.ERP, datetime.now(UTC))


async def bench_inbound(settings: Settings, nats_url: str, pos: int) -> None:
    steps = list(Scenario(23).steps(pos))
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js, "SUPPLYHUB_COMMANDS", [SUBJECT_PREFIX + ">"])
    for s in steps:
        body = json.dumps(to_body(s.command), default=str).encode()
        headers = {"Nats-Msg-Id": s.provenance.message_id,
                   "Supplyhub-Channel": s.provenance.channel.value}  # fmt: skip
        await js.publish_async(SUBJECT_PREFIX + WIRE_NAMES[type(s.command)], body, headers=headers)
    await js.publish_async_completed()
    await nc.close()
    hub = open_hub(settings)
    store = DeadLetterStore(Database(settings.database_url))
    worker = InboundWorker(hub, store, nats_url, answer_tables=INBOUND_ANSWER_TABLES)
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(worker.run(stop))
    while worker.applied + len(store.all()) < len(steps):
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    print(f"inbound commands on PostgreSQL ({len(steps)} demo commands, batches of 100)")
    print(f"  applied {worker.applied} ({len(store.all())} dead letters) in {elapsed:.2f} s: "
          f"{worker.applied / elapsed:.0f} commands/s (target >= 300)")  # fmt: skip
    hub.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pos", type=int, default=1500, help="demo POs to seed (default 1500)")
    parser.add_argument("--rate", type=int, default=200, help="events/s for latency")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp) / "pg") as pg, \
            start_nats(Path(tmp) / "nats") as server:  # fmt: skip
        throughput = Settings(database_url=pg.create_database("bench_relay"))
        bench_throughput(throughput, server.url, args.pos)
        latency = Settings(database_url=pg.create_database("bench_latency"))
        asyncio.run(bench_latency(latency, server.url, args.rate, args.seconds))
        inbound = Settings(database_url=pg.create_database("bench_inbound"))
        asyncio.run(bench_inbound(inbound, server.url, args.pos))


if __name__ == "__main__":
    main()
