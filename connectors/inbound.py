"""Inbound command worker: applies canonical commands from a JetStream durable pull consumer.

Each fetched batch is applied in stream order and acked only after the hub committed it. A
command that keeps failing becomes its document's dead letter and the document's later
commands are parked behind it; business rejections (stale revision, tolerance) are outcomes,
acked like any other. One worker per consumer: order per document needs a single applier.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import nats
from eventsourcing.persistence import InterfaceError, OperationalError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from connectors.command_messages import (
    COMMAND_SUBJECTS,
    InboundMessage,
    InvalidMessageError,
    document_of,
    to_command,
)
from connectors.database import StoreUnavailableError
from connectors.dead_letters import Applied, DeadLetterStore, Refused, Result
from connectors.streams import close_quietly, ensure_stream, sleep_unless
from domain.application import BatchItem, SupplyHub
from domain.commands import Command
from domain.errors import DomainError, ForbiddenError, IdempotencyKeyReusedError, ValidationError
from domain.provenance import Provenance

log = logging.getLogger(__name__)

# Refusals that a retry cannot change; anything else (not found yet, concurrent change) may
# succeed a moment later, so it is retried in place before it is buried.
PERMANENT = (ValidationError, ForbiddenError, IdempotencyKeyReusedError)
# The store itself is down: not the message's fault, so nothing is buried; the batch waits.
UNAVAILABLE = (StoreUnavailableError, OperationalError, InterfaceError)


def refusal(error: DomainError) -> Refused:
    return Refused(f"{error.code}: {error}", permanent=isinstance(error, PERMANENT))


@dataclass(frozen=True)
class _Parsed:
    message: InboundMessage
    document: str
    command: Command | None = None
    provenance: Provenance | None = None
    invalid: str = ""


class InboundWorker:
    def __init__(
        self,
        hub: SupplyHub,
        dead_letters: DeadLetterStore,
        nats_url: str,
        *,
        stream: str = "SUPPLYHUB_COMMANDS",
        durable: str = "supplyhub-inbound",
        batch_size: int = 100,
        max_attempts: int = 5,
        retry_seconds: float = 0.05,
        ack_wait_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.hub = hub
        self.dead_letters = dead_letters
        self.nats_url = nats_url
        self.stream = stream
        self.durable = durable
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self.ack_wait = ack_wait_seconds
        self.clock = clock
        self.applied = 0

    # --- applying, without NATS (also used by `supplyhub dlq retry`) ----------------------

    def apply(self, message: InboundMessage) -> Result:
        """Apply one command once; the result says whether a retry could help."""
        try:
            command, provenance = to_command(message, self.clock())
        except InvalidMessageError as error:
            return Refused(f"invalid: {error}", permanent=True)
        try:
            return Applied(self.hub.handle(command, provenance).status)
        except DomainError as error:
            return refusal(error)

    def process(self, messages: Sequence[InboundMessage]) -> bool:
        """Apply, park or bury each message, in order; True when all are done (ackable).

        The commands that can run are applied in one transaction; if any is refused, nothing
        of that transaction was written and they are applied one by one, in order, instead.
        If the store goes away, False: the whole batch is redelivered, and applying it again
        is harmless (message ids are idempotency keys).
        """
        try:
            dead = self.dead_letters.dead_documents()
            ready = [p for p in map(self._parse, messages) if self._runnable(p, dead)]
            items = [BatchItem(p.command, p.provenance) for p in ready]  # type: ignore[arg-type]
            if not ready or self.hub.handle_all(items) is not None:
                self.applied += len(ready)
                return True
            for parsed in ready:
                if self._runnable(parsed, dead):
                    self._apply_one(parsed, dead)
        except UNAVAILABLE as error:
            log.warning("inbound: the store is unavailable (%s); will retry", error)
            return False
        return True

    def _parse(self, message: InboundMessage) -> _Parsed:
        try:
            command, provenance = to_command(message, self.clock())
        except InvalidMessageError as error:
            return _Parsed(message, document_of(message), invalid=f"invalid: {error}")
        return _Parsed(message, document_of(message, command), command, provenance)

    def _runnable(self, parsed: _Parsed, dead: set[str]) -> bool:
        """False once the message is parked behind its document's dead letter, or buried."""
        if parsed.document in dead:
            if self.dead_letters.park(parsed.document, parsed.message, self.clock()):
                return False
            dead.discard(parsed.document)  # released meanwhile by `supplyhub dlq`
        if parsed.invalid:
            self._bury(parsed, parsed.invalid, 1, dead)
            return False
        return True

    def _apply_one(self, parsed: _Parsed, dead: set[str]) -> None:
        result = self.apply(parsed.message)
        if isinstance(result, Applied):
            self.applied += 1
        else:
            self._retry(parsed, result, dead)

    def _retry(self, parsed: _Parsed, refused: Refused, dead: set[str]) -> None:
        """Retry in place, with backoff, so the document's later commands keep their order."""
        attempt = 1
        while not refused.permanent and attempt < self.max_attempts:
            time.sleep(self.retry_seconds * 2 ** (attempt - 1))
            attempt += 1
            result = self.apply(parsed.message)
            if isinstance(result, Applied):
                self.applied += 1
                return
            refused = result
        self._bury(parsed, refused.reason, attempt, dead)

    def _bury(self, parsed: _Parsed, reason: str, attempts: int, dead: set[str]) -> None:
        log.warning("inbound: dead letter for %s after %d attempt(s): %s", parsed.document,
                    attempts, reason)  # fmt: skip
        self.dead_letters.bury(parsed.document, parsed.message, reason, attempts, self.clock())
        dead.add(parsed.document)

    # --- the NATS loop --------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, apply, ack, until `stop` is set; reconnects when NATS comes back."""
        while not stop.is_set():
            try:
                nc = await nats.connect(self.nats_url, allow_reconnect=False, connect_timeout=2)
            except Exception as error:  # NATS down or not ready yet
                log.warning("inbound: cannot reach NATS at %s (%s); retrying", self.nats_url, error)
                await sleep_unless(stop, 0.5)
                continue
            try:
                await self._consume(nc.jetstream(), stop)
            except nats.errors.Error as error:
                log.warning("inbound: NATS failed (%s); reconnecting", error)
                await sleep_unless(stop, 0.5)
            finally:
                await close_quietly(nc)

    async def _consume(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        await ensure_stream(js, self.stream, [COMMAND_SUBJECTS])
        # max_ack_pending = one batch: after a crash the unacked batch is redelivered (after
        # ack_wait) before anything newer, which keeps the order per document.
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=-1,
            max_ack_pending=self.batch_size,
        )
        sub = await js.pull_subscribe(
            COMMAND_SUBJECTS, durable=self.durable, stream=self.stream, config=config
        )
        while not stop.is_set():
            try:
                fetched = await sub.fetch(self.batch_size, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):  # nothing to fetch right now
                continue
            messages = [InboundMessage(m.subject, dict(m.headers or {}), m.data) for m in fetched]
            if await asyncio.to_thread(self.process, messages):
                for msg in fetched:
                    await msg.ack()
            else:
                for msg in fetched:
                    await msg.nak(delay=1.0)
                await sleep_unless(stop, 1.0)
