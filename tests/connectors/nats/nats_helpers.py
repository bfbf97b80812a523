"""Helpers for the NATS worker tests: a hub on a temp store, and reading a stream back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth

EVENTS = "SUPPLYHUB_EVENTS"
COMMANDS = "SUPPLYHUB_COMMANDS"


@dataclass(frozen=True)
class Received:
    msg_id: str
    originator: str
    version: int
    position: int
    subject: str


async def delete_streams(url: str, *names: str) -> None:
    """Each test starts with fresh streams: they are shared subjects on one server."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for name in names:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(name)
    finally:
        await nc.close()


async def read_stream(url: str, stream: str = EVENTS, subject: str = ">") -> list[Msg]:
    """Every message the stream holds, in stream order (an ephemeral pull consumer)."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        last = (await js.stream_info(stream)).state.last_seq
        messages: list[Msg] = []
        while not messages or (messages[-1].metadata.sequence.stream or 0) < last:
            messages.extend(await sub.fetch(1000, timeout=5))
        return messages
    finally:
        await nc.close()


def received(messages: list[Msg]) -> list[Received]:
    return [
        Received(
            msg_id=m.headers["Nats-Msg-Id"] if m.headers else "",
            originator=m.headers["Supplyhub-Originator-Id"] if m.headers else "",
            version=int(m.headers["Supplyhub-Originator-Version"]) if m.headers else 0,
            position=int(m.headers["Supplyhub-Position"]) if m.headers else 0,
            subject=m.subject,
        )
        for m in messages
    ]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def quick_loop(worker: str) -> ResilientLoop:
    """A worker loop that retries within a tenth of a second: tests wait on counts, not time."""
    return ResilientLoop(WorkerHealth(worker), Backoff(initial_seconds=0.02, max_seconds=0.2))
