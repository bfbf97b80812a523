"""Outbound relay: a tracked subscriber of the event log that publishes every event to JetStream.

`to_message` is the pure translation (event -> subject, headers, payload); `Relay` is the thin
loop: read a batch after the tracked position, publish it with `publish_async`, wait for every
ack, then commit the batch's last position. A crash anywhere republishes from the committed
position, and the `Nats-Msg-Id` header makes JetStream drop what it already holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Notification
from nats.aio.client import Client

from connectors.nats.acks import AckInbox, PublishFailedError, Window, wait_for
from connectors.nats.streams import close_quietly, connect, ensure_stream
from connectors.workers.loop import TRANSIENT, ResilientLoop, WorkerHealth, sleep_unless
from connectors.workers.positions import PositionStore
from storage.event_codec import read_field

log = logging.getLogger(__name__)

EVENT_SUBJECTS = "supplyhub.events.>"
# The hub's own idempotency records are bookkeeping, not facts a downstream system acts on.
UNPUBLISHED_PREFIXES = ("supplyhub:ProcessedMessage",)


@dataclass(frozen=True)
class OutboundMessage:
    subject: str
    headers: dict[str, str]
    payload: bytes


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@lru_cache(maxsize=1024)  # a few dozen topics; the regexes are the costly part
def subject_for(topic: str) -> str:
    """`supplyhub:PurchaseOrder.Acknowledged` -> `supplyhub.events.purchase_order.acknowledged`."""
    path = topic.rsplit(":", 1)[-1]
    aggregate, _, event = path.rpartition(".")
    tokens = [_snake(part) for part in (aggregate or "event", event)]
    return "supplyhub.events." + ".".join(re.sub(r"[^a-z0-9_]", "_", t) for t in tokens)


def message_id(originator_id: object, version: int) -> str:
    """Deterministic per event, so a republished event is dropped by JetStream's dedupe."""
    return f"{originator_id}:{version}"


def is_published(topic: str) -> bool:
    return not topic.startswith(UNPUBLISHED_PREFIXES)


def provenance_of(mapper: Mapper[Any], notification: Notification) -> dict[str, Any] | None:
    """The event's provenance fields, read by the hub's event codec: only that field is
    decoded (decoding the whole event costs more than publishing it; an encrypted or
    compressed store decodes it whole). None if the event carries no provenance."""
    return _fields(read_field(mapper, notification, "provenance"))


def _fields(provenance: Any) -> dict[str, Any] | None:
    return dict(vars(provenance)) if provenance is not None else None


def to_message(notification: Notification, provenance: Mapping[str, Any] | None) -> OutboundMessage:
    """The message for one stored event: its stored JSON state inside a small envelope."""
    position, topic = notification.id, notification.topic
    originator, version = str(notification.originator_id), notification.originator_version
    headers = {
        "Nats-Msg-Id": message_id(originator, version),
        "Supplyhub-Position": str(position),
        "Supplyhub-Topic": topic,
        "Supplyhub-Originator-Id": originator,
        "Supplyhub-Originator-Version": str(version),
    }
    if provenance:
        headers["Supplyhub-Correlation-Id"] = str(provenance.get("correlation_id", ""))
        headers["Supplyhub-Causation-Id"] = str(provenance.get("causation_id", ""))
        headers["Supplyhub-Message-Id"] = str(provenance.get("message_id", ""))
    # The state is already JSON: splice it in rather than decode and re-encode it.
    envelope = (
        f'{{"position":{position},"topic":{_json_string(topic)},'
        f'"originator_id":"{originator}","originator_version":{version},"event":'
    )
    payload = b"".join((envelope.encode(), notification.state, b"}"))
    return OutboundMessage(subject_for(topic), headers, payload)


@lru_cache(maxsize=1024)
def _json_string(text: str) -> str:
    return json.dumps(text)


class Relay:
    """Publishes the event log to JetStream in log order, resuming from its tracked position."""

    def __init__(
        self,
        app: Application[Any],
        positions: PositionStore,
        nats_url: str,
        *,
        stream: str = "SUPPLYHUB_EVENTS",
        name: str = "relay",
        batch_size: int = 1000,
        poll_seconds: float = 0.02,
        ack_timeout_seconds: float = 5.0,
        commit_seconds: float = 0.1,
        loop: ResilientLoop | None = None,
    ) -> None:
        self.app = app
        self.positions = positions
        self.nats_url = nats_url
        self.stream = stream
        self.name = name
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.ack_timeout = ack_timeout_seconds
        self.commit_seconds = commit_seconds
        self.published = 0
        self.loop = loop or ResilientLoop(WorkerHealth(name))
        self._closed = asyncio.Event()

    # --- the long-running loop ------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set. NATS or the store away (down, restarting, unreachable):
        the loop waits with backoff, reconnects, and resumes from the committed position."""
        await self.loop.run(lambda: self._session(stop), stop)

    async def _session(self, stop: asyncio.Event) -> None:
        nc, inbox = await self._connect()
        try:
            await self._relay(nc, inbox, stop)
        finally:
            await close_quietly(nc)

    async def _relay(self, nc: Client, inbox: AckInbox, stop: asyncio.Event) -> None:
        committed = read_to = acked_to = await asyncio.to_thread(self.positions.get, self.name)
        committed_at = time.monotonic()
        # (last position, ack window) of published batches: the next batch is read and sent
        # while JetStream stores the previous one. A position is committed only once every
        # event up to it was acked, at most every `commit_seconds` while busy.
        in_flight: deque[tuple[int, Window]] = deque()
        reading = self._read_after(read_to)
        try:
            while not stop.is_set():
                batch = await reading
                if batch:
                    read_to = batch[-1][0]
                    reading = self._read_after(read_to)  # runs while this batch is sent
                    in_flight.append((read_to, await self._send(nc, inbox, batch)))
                while in_flight and (len(in_flight) > 1 or not batch):
                    last, window = in_flight.popleft()
                    await self._wait(inbox, window)
                    acked_to = last
                    self.published += window.expected
                due = not batch or time.monotonic() - committed_at >= self.commit_seconds
                if acked_to > committed and due:
                    await asyncio.to_thread(self.positions.set, self.name, acked_to)
                    committed, committed_at = acked_to, time.monotonic()
                self.loop.health.progress()
                if not batch:
                    await sleep_unless(stop, self.poll_seconds)
                    reading = self._read_after(read_to)
        finally:
            await asyncio.gather(reading, return_exceptions=True)
            if acked_to > committed:  # stopping, or a later batch failed: keep what was acked
                with contextlib.suppress(*TRANSIENT):  # (the store may be what failed)
                    await asyncio.to_thread(self.positions.set, self.name, acked_to)

    def _read_after(
        self, position: int
    ) -> asyncio.Future[list[tuple[int, OutboundMessage | None]]]:
        return asyncio.ensure_future(asyncio.to_thread(self._read, position + 1, None))

    # --- replay ---------------------------------------------------------------------------

    async def replay(self, start: int, stop: int | None = None) -> int:
        """Republish positions `start`..`stop` (inclusive) without moving the tracked position.

        Events still inside the stream's duplicate window are dropped by JetStream as
        duplicates; older ones are stored again, so a subscriber that lost them gets them back.
        """
        nc, inbox = await self._connect()
        sent = 0
        try:
            position = start - 1
            while stop is None or position < stop:
                batch = await asyncio.to_thread(self._read, position + 1, stop)
                if not batch:
                    break
                await self._wait(inbox, await self._send(nc, inbox, batch))
                sent += sum(1 for _, message in batch if message is not None)
                position = batch[-1][0]
                log.info("replay: republished up to position %d (%d events)", position, sent)
        finally:
            await close_quietly(nc)
        return sent

    # --- steps ----------------------------------------------------------------------------

    def _read(self, start: int, stop: int | None) -> list[tuple[int, OutboundMessage | None]]:
        notifications = self.app.recorder.select_notifications(start, self.batch_size, stop)
        return [
            (n.id, to_message(n, self._provenance(n))) if is_published(n.topic) else (n.id, None)
            for n in notifications
        ]

    def _provenance(self, notification: Notification) -> Mapping[str, Any] | None:
        return provenance_of(self.app.mapper, notification)

    async def _send(
        self, nc: Client, inbox: AckInbox, batch: Sequence[tuple[int, OutboundMessage | None]]
    ) -> Window:
        messages = [message for _, message in batch if message is not None]
        window = inbox.open(len(messages))
        for message in messages:
            if self._closed.is_set():
                raise PublishFailedError("connection closed")
            await nc.publish(
                message.subject, message.payload, reply=window.reply, headers=message.headers
            )
        return window

    async def _wait(self, inbox: AckInbox, window: Window) -> None:
        try:
            await wait_for(window, self._closed, self.ack_timeout)
        finally:
            inbox.close(window)

    async def _connect(self) -> tuple[Client, AckInbox]:
        # No automatic reconnect and no reconnect buffer: after a failure the relay starts a
        # fresh connection from its tracked position, so no stale publish from a failed batch
        # can reach the stream after a newer one (that would break order per document).
        self._closed = asyncio.Event()
        closed = self._closed

        async def on_closed() -> None:
            closed.set()

        async def on_error(error: Exception) -> None:
            log.debug("relay: NATS error %r", error)

        nc = await connect(self.nats_url, pending_size=0, closed_cb=on_closed, error_cb=on_error)
        try:
            js = nc.jetstream()
            await ensure_stream(js, self.stream, [EVENT_SUBJECTS])
            inbox = AckInbox(nc)
            await inbox.subscribe()
        except BaseException:
            await close_quietly(nc)
            raise
        return nc, inbox
