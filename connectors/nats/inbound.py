"""Inbound command worker: applies canonical commands from a JetStream durable pull consumer.

Each fetched batch is applied in stream order and acked only after the hub committed it. A
command that arrives ahead of its predecessor (after a crash the broker redelivers the
unacked one only after the ack wait, behind newer ones) is held until the predecessor is
applied, then applied itself; if the predecessor does not come within the hold wait, the held
command becomes the dead letter, naming what it waited for. A command that keeps failing
becomes its document's dead letter and the document's later commands are parked behind it;
business rejections (stale revision, tolerance) are outcomes, acked like any other.
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

from connectors.database import StoreUnavailableError
from connectors.nats.command_messages import (
    ANSWER_TABLES,
    COMMAND_SUBJECTS,
    AnswerTables,
    InboundMessage,
    InvalidMessageError,
    document_of,
    to_command,
)
from connectors.nats.dead_letters import Applied, DeadLetterStore, Refused, Result
from connectors.nats.streams import close_quietly, connect, ensure_stream
from connectors.workers.loop import ResilientLoop, WorkerHealth
from domain.application import BatchItem, SupplyHub
from domain.commands import Command, RevisePurchaseOrder
from domain.errors import (
    DomainError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)
from domain.provenance import Provenance

log = logging.getLogger(__name__)

# Refusals that a retry cannot change; anything else (not found yet, concurrent change) may
# succeed a moment later, so it is retried in place before it is buried.
PERMANENT = (ValidationError, ForbiddenError, IdempotencyKeyReusedError)
# The store itself is down: not the message's fault, so nothing is buried; the batch waits.
UNAVAILABLE = (StoreUnavailableError, OperationalError, InterfaceError)


def refusal(error: DomainError, command: Command | None = None) -> Refused:
    reason = f"{error.code}: {error}"
    return Refused(reason, isinstance(error, PERMANENT), waiting_for(command, error))


def waiting_for(command: Command | None, error: DomainError) -> str:
    """What a command refused only for coming early waits for, else "".

    The order of a purchase order's commands is its revision: revision N of a revision needs
    N-1 applied first (the release is revision 1), and an answer to revision N needs N. A
    refusal on the `revision` field names a revision the document has not reached yet
    (older ones are recorded as stale outcomes, not refused)."""
    number, revision = getattr(command, "po_number", None), getattr(command, "revision", None)
    if not isinstance(number, str) or not isinstance(revision, int):
        return ""
    needed = revision - 1 if isinstance(command, RevisePurchaseOrder) else revision
    early = isinstance(error, ValidationError) and error.field == "revision"
    missing = isinstance(error, NotFoundError) and isinstance(command, RevisePurchaseOrder)
    if needed < 1 or not (early or missing):
        return ""
    return f"revision {needed} of po:{number}"


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
        hold_seconds: float = 120.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        loop: ResilientLoop | None = None,
        answer_tables: AnswerTables = ANSWER_TABLES,
    ) -> None:
        self.hub = hub
        self.answer_tables = answer_tables
        self.dead_letters = dead_letters
        self.nats_url = nats_url
        self.stream = stream
        self.durable = durable
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self.ack_wait = ack_wait_seconds
        self.hold_seconds = hold_seconds
        self.clock = clock
        self.loop = loop or ResilientLoop(WorkerHealth("inbound"))
        self.applied = 0
        self._held: set[str] = set()  # documents with held commands, as of the last batch
        self._tended_at = 0.0

    # --- applying, without NATS (also used by `supplyhub dlq retry`) ----------------------

    def apply(self, message: InboundMessage) -> Result:
        """Apply one command once; the result says whether a retry could help."""
        try:
            command, provenance = to_command(message, self.clock(), self.answer_tables)
        except InvalidMessageError as error:
            return Refused(f"invalid: {error}", permanent=True)
        except ValidationError as error:  # an answer code its channel does not know
            return refusal(error)
        try:
            return Applied(self.hub.handle(command, provenance).status)
        except DomainError as error:
            return refusal(error, command)

    def process(self, messages: Sequence[InboundMessage]) -> bool:
        """Apply, hold, park or bury each message, in order; True when all are done (ackable).

        The commands that can run are applied in one transaction; if any is refused, nothing
        of that transaction was written and they are applied one by one, in order, instead.
        A document with held commands goes one by one too, and each command applied for it
        lets its held ones follow. If the store goes away, False: the whole batch is
        redelivered, and applying it again is harmless (message ids are idempotency keys).
        """
        try:
            dead = self.dead_letters.dead_documents()
            held = self._held = set(self.dead_letters.held_documents())
            runnable = [p for p in map(self._parse, messages) if self._runnable(p, dead)]
            ready = [p for p in runnable if p.document not in held]
            items = [BatchItem(p.command, p.provenance) for p in ready]  # type: ignore[arg-type]
            if ready and self.hub.handle_all(items) is not None:
                self.applied += len(ready)
                runnable = [p for p in runnable if p.document in held]
            for parsed in runnable:
                if self._runnable(parsed, dead):
                    self._apply_one(parsed, dead, held)
        except UNAVAILABLE as error:
            log.warning("inbound: the store is unavailable (%s); will retry", error)
            return False
        return True

    def tend_held(self) -> None:
        """Let held commands follow a predecessor that came another way (the API, `dlq`),
        and make the ones that waited longer than the hold wait dead letters."""
        dead = self.dead_letters.dead_documents()
        now = self.clock()
        for document, since in self.dead_letters.held_documents().items():
            if document in dead:
                continue
            held = {document}
            self._follow(document, dead, held)
            waited = (now - datetime.fromisoformat(since)).total_seconds()
            if held and waited >= self.hold_seconds:
                first = self.dead_letters.held(document)[0]
                reason = (
                    f"waited {waited:.0f}s for {first.waits_for or 'the commands before it'}, "
                    "which did not arrive "
                    f"(held: {first.reason})"
                )
                log.warning("inbound: dead letter for %s: %s", document, reason)
                self.dead_letters.give_up_waiting(document, reason, now)
        self._held = set(self.dead_letters.held_documents())

    def _parse(self, message: InboundMessage) -> _Parsed:
        try:
            command, provenance = to_command(message, self.clock(), self.answer_tables)
        except InvalidMessageError as error:
            return _Parsed(message, document_of(message), invalid=f"invalid: {error}")
        except ValidationError as error:  # an answer code its channel does not know
            return _Parsed(message, document_of(message), invalid=refusal(error).reason)
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

    def _apply_one(self, parsed: _Parsed, dead: set[str], held: set[str]) -> None:
        result = self.apply(parsed.message)
        if isinstance(result, Applied):
            self.applied += 1
            if parsed.document in held:
                self._follow(parsed.document, dead, held)
        elif result.waits_for or parsed.document in held:
            # Early, or behind commands held for this document: keep the document's order.
            log.info("inbound: holding a command of %s until %s is applied", parsed.document,
                     result.waits_for or "the held ones before it")  # fmt: skip
            self.dead_letters.hold(parsed.document, parsed.message, result, self.clock())
            held.add(parsed.document)
        else:
            self._retry(parsed, result, dead)

    def _follow(self, document: str, dead: set[str], held: set[str]) -> None:
        """Apply the document's held commands that can run now, in passes, until none can."""
        progress = True
        while progress:
            progress = False
            first = True  # nothing held before this one is left
            for item in self.dead_letters.held(document):
                result = self.apply(item.message)
                if isinstance(result, Applied):
                    self.dead_letters.unhold(item.id)
                    self.applied += 1
                    progress = True
                    continue
                if first and not result.waits_for and result.permanent:
                    # Its turn came and it still fails: the document's dead letter, in order.
                    self.dead_letters.give_up_waiting(document, result.reason, self.clock())
                    dead.add(document)
                    held.discard(document)
                    return
                first = False
            if progress and len(self.dead_letters.held(document)) == 0:
                held.discard(document)
                return

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
        """Fetch, apply, ack, until `stop` is set. NATS or the store away: the loop waits
        with backoff and reconnects; the durable consumer resumes after the last ack."""
        await self.loop.run(lambda: self._session(stop), stop)

    async def _session(self, stop: asyncio.Event) -> None:
        nc = await connect(self.nats_url)
        try:
            await self._consume(nc.jetstream(), stop)
        finally:
            await close_quietly(nc)

    async def _consume(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        await ensure_stream(js, self.stream, [COMMAND_SUBJECTS])
        # Order per document does not depend on this consumer's redelivery order: a command
        # that comes before its predecessor is held (see `process`).
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
        self._held = set(await asyncio.to_thread(self.dead_letters.held_documents))
        while not stop.is_set():
            await self._tend(stop)
            try:
                fetched = await sub.fetch(self.batch_size, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):  # nothing to fetch right now
                self.loop.health.progress()
                continue
            messages = [InboundMessage(m.subject, dict(m.headers or {}), m.data) for m in fetched]
            if await asyncio.to_thread(self.process, messages):
                for msg in fetched:
                    await msg.ack()
                self.loop.health.progress()
            else:
                for msg in fetched:
                    await msg.nak(delay=1.0)
                await self.loop.pause(StoreUnavailableError("the store is unavailable"), stop)

    async def _tend(self, stop: asyncio.Event) -> None:
        """About once a second, and only while some document has held commands."""
        if not self._held or time.monotonic() - self._tended_at < 1.0:
            return
        self._tended_at = time.monotonic()
        try:
            await asyncio.to_thread(self.tend_held)
        except UNAVAILABLE as error:
            await self.loop.pause(error, stop)
