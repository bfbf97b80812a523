"""The SAP worker: pull and write-backs in one ResilientLoop (`supplyhub worker erp`).

Each round, on one SAP session (cookie and CSRF token): pull the suppliers, purchase orders
and goods receipts changed since the stored cursor, then write back the acknowledgements
and post the matched invoices recorded since their tracked positions, then commit the cursor
and the round's success in the hub's store (`erp_state`). SAP away (a `ConnectionError`)
leaves the cursor and the positions where they were; the loop starts a new session after its
backoff. A 503 whose `Retry-After` is longer than the client waits on its own is honoured
here: the session waits that long before the loop's backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.erp.hub import Clock
from connectors.erp.invoices import InvoiceWriteBacks
from connectors.erp.sap.invoice import SapInvoicePosting
from connectors.erp.sap.odata import SapBusyError, SapClient
from connectors.erp.sap.pull import SapCursor, SapSource, Window, pull_once
from connectors.erp.sap.write import SapWriteBack
from connectors.erp.state import ErpStateStore
from connectors.erp.writebacks import WriteBacks
from connectors.workers.loop import TRANSIENT, ResilientLoop, sleep_unless
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub

_WINDOWS = ("partners", "orders", "receipts")


def _now() -> datetime:
    return datetime.now(UTC)


def dump_cursor(cursor: SapCursor) -> str:
    return json.dumps({name: _dump(getattr(cursor, name)) for name in _WINDOWS})


def load_cursor(text: str) -> SapCursor:
    if not text:
        return SapCursor()
    found: dict[str, Any] = json.loads(text)
    return SapCursor(*(_load(found.get(name) or {}) for name in _WINDOWS))


def _dump(window: Window) -> dict[str, Any]:
    return {"since": window.since.isoformat() if window.since else None,
            "seen": sorted(window.seen)}  # fmt: skip


def _load(found: dict[str, Any]) -> Window:
    since = datetime.fromisoformat(found["since"]) if found.get("since") else None
    return Window(since, frozenset(found.get("seen") or ()))


class SapWorker:
    """`connect` returns a client on a new session (cookies and token start empty)."""

    def __init__(
        self,
        hub: SupplyHub,
        connect: Callable[[], SapClient],
        system: str,
        states: ErpStateStore,
        positions: PositionStore,
        loop: ResilientLoop,
        *,
        lead_days: int = 14,
        poll_seconds: float = 5.0,
        clock: Clock = _now,
    ) -> None:
        self.hub = hub
        self.connect = connect
        self.system = system
        self.name = f"sap:{system}"
        self.states = states
        self.positions = positions
        self.loop = loop
        self.lead_days = lead_days
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.rounds = 0
        self._writing: tuple[SapClient, WriteBacks, InvoiceWriteBacks] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        await self.loop.run(lambda: self._session(stop), stop)

    async def _session(self, stop: asyncio.Event) -> None:
        client = self.connect()
        try:
            while not stop.is_set():
                await asyncio.to_thread(self.round, client)
                self.loop.health.progress()
                await sleep_unless(stop, self.poll_seconds)
        except SapBusyError as busy:  # SAP said when to come back: not before
            await sleep_unless(stop, busy.retry_after)
            raise

    def writebacks(self, client: SapClient) -> WriteBacks:
        """One per session: it keeps which orders this SAP system released across rounds."""
        return self._subscribers(client)[1]

    def invoices(self, client: SapClient) -> InvoiceWriteBacks:
        return self._subscribers(client)[2]

    def _subscribers(self, client: SapClient) -> tuple[SapClient, WriteBacks, InvoiceWriteBacks]:
        if self._writing is None or self._writing[0] is not client:
            acks = WriteBacks(self.hub, self.positions, SapWriteBack(client), self.name, self.clock)
            invoices = InvoiceWriteBacks(
                self.hub, self.positions, SapInvoicePosting(client), self.name, self.clock
            )
            self._writing = (client, acks, invoices)
        return self._writing

    def round(self, client: SapClient) -> None:
        """One pull and every write-back due; the cursor committed after both."""
        try:
            cursor = load_cursor(self.states.get(self.name).cursor)
            source = SapSource(client, self.system, self.lead_days)
            report = pull_once(source, self.hub, cursor, self.clock)
            for subscriber in (self.writebacks(client), self.invoices(client)):
                while subscriber.step() == subscriber.batch_size:
                    pass
        except Exception as error:
            self._failed(error)
            raise
        if report.failed:
            self._failed(RuntimeError("; ".join(report.failed)))
        self.states.succeeded(self.name, dump_cursor(report.cursor), self.clock().isoformat())
        self.rounds += 1

    def _failed(self, error: BaseException) -> None:
        with contextlib.suppress(*TRANSIENT):  # the store may be what failed
            self.states.failed(
                self.name, f"{type(error).__name__}: {error}", self.clock().isoformat()
            )
