"""The Tryton worker: pull and write-backs in one ResilientLoop (`supplyhub worker erp`).

Each round, on one logged-in session: pull the purchases, the receipts (done stock moves)
and the supplier invoices posted or paid since the stored cursors into the hub, then write
back the acknowledgements and agreed changes recorded since the tracked position; then
commit the cursors and the round's success in the hub's store (`erp_state`). Tryton away
or a session that expired: a `ConnectionError`, which the loop retries with backoff,
logging in again; the cursors and the position stay where they were, so nothing is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.erp.hub import Clock
from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.invoices import pull_invoices
from connectors.erp.tryton.pull import actor_of, pull_once
from connectors.erp.tryton.reader import TrytonCursor
from connectors.erp.tryton.receipts import pull_receipts
from connectors.erp.tryton.rpc import TrytonAuthenticationError, TrytonClient, TrytonError
from connectors.erp.tryton.write import TrytonWriteBack
from connectors.erp.writebacks import WriteBacks
from connectors.workers.loop import TRANSIENT, ResilientLoop, sleep_unless
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Cursors:
    """Where the worker's reads stand: purchases, done stock moves (receipts), supplier
    invoices posted or paid."""

    purchases: TrytonCursor = field(default_factory=TrytonCursor)
    receipts: TrytonCursor = field(default_factory=TrytonCursor)
    invoices: TrytonCursor = field(default_factory=TrytonCursor)


_CURSORS = ("purchases", "receipts", "invoices")


def dump_cursors(cursors: Cursors) -> str:
    return json.dumps({name: _dump(getattr(cursors, name)) for name in _CURSORS})


def load_cursors(text: str) -> Cursors:
    if not text:
        return Cursors()
    found: dict[str, Any] = json.loads(text)
    # A cursor stored before a read existed starts that read from the beginning.
    return Cursors(*(_load(found[name]) if name in found else TrytonCursor() for name in _CURSORS))


def _dump(cursor: TrytonCursor) -> dict[str, Any]:
    return {
        "since": cursor.since.isoformat() if cursor.since else None,
        "seen": sorted([model, record, stamp.isoformat()] for model, record, stamp in cursor.seen),
    }


def _load(found: dict[str, Any]) -> TrytonCursor:
    since = datetime.fromisoformat(found["since"]) if found.get("since") else None
    seen = frozenset((m, int(r), datetime.fromisoformat(s)) for m, r, s in found["seen"])
    return TrytonCursor(since, seen)


class SessionExpiredError(ConnectionError):
    """Tryton no longer knows the session: log in again (the loop's next session does)."""


class TrytonWorker:
    """`connect` returns a logged-in client (a new session each time the loop starts one)."""

    def __init__(
        self,
        hub: SupplyHub,
        connect: Callable[[], TrytonClient],
        database: str,
        states: ErpStateStore,
        positions: PositionStore,
        loop: ResilientLoop,
        *,
        poll_seconds: float = 5.0,
        clock: Clock = _now,
    ) -> None:
        self.hub = hub
        self.connect = connect
        self.name = f"tryton:{database}"
        self.states = states
        self.positions = positions
        self.loop = loop
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.rounds = 0
        self._writing: tuple[TrytonClient, WriteBacks] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        await self.loop.run(lambda: self._session(stop), stop)

    async def _session(self, stop: asyncio.Event) -> None:
        try:
            client = await asyncio.to_thread(self.connect)
        except Exception as error:
            await asyncio.to_thread(self._failed, error)
            raise
        try:
            while not stop.is_set():
                await asyncio.to_thread(self.round, client)
                self.loop.health.progress()
                await sleep_unless(stop, self.poll_seconds)
        finally:
            with contextlib.suppress(TrytonError):
                await asyncio.to_thread(client.logout)

    def writebacks(self, client: TrytonClient) -> WriteBacks:
        """One per session: it keeps which orders this ERP released across rounds."""
        if self._writing is None or self._writing[0] is not client:
            made = WriteBacks(
                self.hub, self.positions, TrytonWriteBack(client), actor_of(client), self.clock
            )
            self._writing = (client, made)
        return self._writing[1]

    def round(self, client: TrytonClient) -> None:
        """One pull and every write-back due; the cursor committed after both."""
        try:
            cursors = load_cursors(self.states.get(self.name).cursor)
            report = pull_once(client, self.hub, cursors.purchases, self.clock)
            actor = actor_of(client)
            receipts = pull_receipts(client, self.hub, cursors.receipts, actor, self.clock)
            invoices = pull_invoices(client, self.hub, cursors.invoices, actor, self.clock)
            writebacks = self.writebacks(client)
            while writebacks.step() == writebacks.batch_size:
                pass
        except TrytonAuthenticationError as expired:
            self._failed(expired)
            raise SessionExpiredError(str(expired)) from None
        except Exception as error:
            self._failed(error)
            raise
        problems = [str(p) for p in report.failed] + list(receipts.failed) + list(invoices.failed)
        for skipped in invoices.skipped:
            log.info("%s: not the hub's invoice: %s", self.name, skipped)
        if report.refused is not None:
            problems.insert(0, f"the hub refused: {report.refused}")
        if problems:
            self._failed(RuntimeError("; ".join(problems)))
        done = dump_cursors(Cursors(report.cursor, receipts.cursor, invoices.cursor))
        self.states.succeeded(self.name, done, self.clock().isoformat())
        self.rounds += 1

    def _failed(self, error: BaseException) -> None:
        with contextlib.suppress(*TRANSIENT):  # the store may be what failed
            self.states.failed(
                self.name, f"{type(error).__name__}: {error}", self.clock().isoformat()
            )
