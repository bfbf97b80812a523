"""Outbound relay: a tracked subscriber of the event log that publishes every event to JetStream.

`to_message` is the pure translation (event -> subject, headers, payload); `Relay` is the thin
loop: read a batch after the tracked position, publish it with `publish_async`, wait for every
ack, then commit the batch's last position. A crash anywhere republishes from the committed
position, and the `Nats-Msg-Id` header makes JetStream drop what it already holds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nats
from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from nats.aio.client import Client
from nats.js import JetStreamContext

from connectors.streams import close_quietly, ensure_stream, sleep_unless
from connectors.tracking import PositionStore

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


def to_message(notification: Notification, event: Any) -> OutboundMessage:
    """The message for one stored event: its stored JSON state inside a small envelope."""
    position, topic = notification.id, notification.topic
    version = notification.originator_version
    headers = {
        "Nats-Msg-Id": message_id(notification.originator_id, version),
        "Supplyhub-Position": str(position),
        "Supplyhub-Topic": topic,
        "Supplyhub-Originator-Id": str(notification.originator_id),
        "Supplyhub-Originator-Version": str(version),
    }
    provenance = getattr(event, "provenance", None)
    if provenance is not None:
        headers["Supplyhub-Correlation-Id"] = provenance.correlation_id
        headers["Supplyhub-Causation-Id"] = provenance.causation_id
        headers["Supplyhub-Message-Id"] = provenance.message_id
    envelope = json.dumps(
        {
            "position": position,
            "topic": topic,
            "originator_id": str(notification.originator_id),
            "originator_version": version,
        },
        separators=(",", ":"),
    )
    # The state is already JSON: splice it in rather than decode and re-encode it.
    payload = b"".join((envelope[:-1].encode(), b',"event":', notification.state, b"}"))
    return OutboundMessage(subject_for(topic), headers, payload)


class PublishFailedError(Exception):
    """JetStream did not acknowledge a batch; the relay retries it from the tracked position."""


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
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        ack_timeout_seconds: float = 5.0,
        retry_seconds: float = 0.5,
    ) -> None:
        self.app = app
        self.positions = positions
        self.nats_url = nats_url
        self.stream = stream
        self.name = name
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.ack_timeout = ack_timeout_seconds
        self.retry_seconds = retry_seconds
        self.published = 0
        self._closed = asyncio.Event()

    # --- the long-running loop ------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; while NATS is down, wait and catch up when it is back."""
        while not stop.is_set():
            try:
                nc, js = await self._connect()
            except Exception as error:  # NATS down or not ready: wait, nothing is lost
                log.warning("relay: cannot reach NATS at %s (%s); retrying", self.nats_url, error)
                await sleep_unless(stop, self.retry_seconds)
                continue
            try:
                await self._relay(js, stop)
            except (PublishFailedError, nats.errors.Error) as error:
                log.warning("relay: publish failed (%s); resuming from the tracked position", error)
                await sleep_unless(stop, self.retry_seconds)
            finally:
                await close_quietly(nc)

    async def _relay(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        position = await asyncio.to_thread(self.positions.get, self.name)
        batch = await asyncio.to_thread(self._read, position + 1, None)
        while not stop.is_set():
            if not batch:
                await sleep_unless(stop, self.poll_seconds)
                batch = await asyncio.to_thread(self._read, position + 1, None)
                continue
            acks = await self._send(js, batch)
            last = batch[-1][0]
            # Read the next batch while JetStream stores this one.
            next_read = asyncio.ensure_future(asyncio.to_thread(self._read, last + 1, None))
            try:
                await self._wait(acks)
            except BaseException:
                await asyncio.gather(next_read, return_exceptions=True)
                raise
            await asyncio.to_thread(self.positions.set, self.name, last)
            self.published += sum(1 for _, message in batch if message is not None)
            position = last
            batch = await next_read

    # --- replay ---------------------------------------------------------------------------

    async def replay(self, start: int, stop: int | None = None) -> int:
        """Republish positions `start`..`stop` (inclusive) without moving the tracked position.

        Events still inside the stream's duplicate window are dropped by JetStream as
        duplicates; older ones are stored again, so a subscriber that lost them gets them back.
        """
        nc, js = await self._connect()
        sent = 0
        try:
            position = start - 1
            while stop is None or position < stop:
                batch = await asyncio.to_thread(self._read, position + 1, stop)
                if not batch:
                    break
                await self._wait(await self._send(js, batch))
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
            (n.id, to_message(n, self.app.mapper.to_domain_event(n)))
            if is_published(n.topic)
            else (n.id, None)
            for n in notifications
        ]

    async def _send(
        self, js: JetStreamContext, batch: Sequence[tuple[int, OutboundMessage | None]]
    ) -> list[asyncio.Future[Any]]:
        acks = []
        for _, message in batch:
            if message is None:
                continue
            if self._closed.is_set():
                raise PublishFailedError("connection closed")
            acks.append(
                await js.publish_async(message.subject, message.payload, headers=message.headers)
            )
        return acks

    async def _wait(self, acks: list[asyncio.Future[Any]]) -> None:
        if not acks:
            return
        every_ack: asyncio.Future[Any] = asyncio.gather(*acks)
        closed: asyncio.Future[Any] = asyncio.ensure_future(self._closed.wait())
        try:
            done, _ = await asyncio.wait(
                {every_ack, closed}, timeout=self.ack_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if every_ack not in done:
                raise PublishFailedError("no ack from JetStream (connection lost or timed out)")
            every_ack.result()  # raises the first API error, e.g. a missing stream
        finally:
            closed.cancel()
            for ack in acks:
                ack.cancel()  # frees the client's pending slots of unanswered publishes

    async def _connect(self) -> tuple[Client, JetStreamContext]:
        # No automatic reconnect and no reconnect buffer: after a failure the relay starts a
        # fresh connection from its tracked position, so no stale publish from a failed batch
        # can reach the stream after a newer one (that would break order per document).
        self._closed = asyncio.Event()
        closed = self._closed

        async def on_closed() -> None:
            closed.set()

        async def on_error(error: Exception) -> None:
            log.debug("relay: NATS error %r", error)

        nc = await nats.connect(
            self.nats_url,
            allow_reconnect=False,
            pending_size=0,
            connect_timeout=2,
            closed_cb=on_closed,
            error_cb=on_error,
        )
        try:
            js = nc.jetstream(publish_async_max_pending=max(4000, 2 * self.batch_size))
            await ensure_stream(js, self.stream, [EVENT_SUBJECTS])
        except BaseException:
            await close_quietly(nc)
            raise
        return nc, js
