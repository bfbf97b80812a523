"""The live feed behind GraphQL subscriptions: one watcher per process that wakes when the views
commit past a new log position and hands what changed to every subscriber.

Fed from the projections' positions, never from the command path: the watcher polls the
views' tracking position (one indexed read per interval, whichever process runs the
projections), and only once the views reflect a position does it read the events up to there
from the log. Each change is computed once and fanned out; subscribers filter it by scope.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from eventsourcing.persistence import Notification

from domain.processed_message import ProcessedMessage
from projections.read_models import AuditEntryView, ExceptionView, PurchaseOrderView, ReadModels
from projections.views.audit_trail import entry

log = logging.getLogger(__name__)

PO_TOPIC = "PurchaseOrder."
CASE_TOPIC = "ExceptionCase."
MAX_EVENTS_A_READ = 5000
KINDS = frozenset({"timeline", "orders", "cases"})
# The documents whose events also go on their purchase orders' timelines, by the prefix of
# their link row in the purchase order view (cases stay off: not every caller sees them).
LINKED = {"Shipment": "shipment", "GoodsReceipt": "goodsreceipt", "Invoice": "invoice"}


@dataclass(frozen=True)
class CaseChange:
    kind: str  # opened | assigned | resolved | commented
    case: ExceptionView


@dataclass(frozen=True)
class Change:
    """What the views committed between two positions, read once for all subscribers."""

    position: int
    timeline: tuple[AuditEntryView, ...] = ()  # the new entries, by document id
    purchase_orders: tuple[PurchaseOrderView, ...] = ()  # every scope: subscribers filter
    cases: tuple[CaseChange, ...] = ()
    # per document id of a shipment, receipt or invoice in `timeline`: its orders' ids
    linked: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Notifications:
    """What the watcher reads: the views' position and the log between two positions."""

    def __init__(
        self,
        read_models: ReadModels,
        select: Callable[[int, int, int], Sequence[Notification]],
        decode: Callable[[Notification], Any],
    ) -> None:
        self.read_models, self.select, self.decode = read_models, select, decode
        self._cases: dict[str, ExceptionView] | None = None
        self.log_reads = 0  # changes read from the log (not handed over by the runner)

    def change(
        self, after: int, upto: int, wanted: frozenset[str] = KINDS,
        records: Sequence[Any] | None = None,
    ) -> Change:  # fmt: skip
        """What was committed in (after, upto]; `wanted` names the kinds anyone follows
        (timeline, orders, cases): the others are not read. `records`: the projection
        runner's own (decoded once, for its views) when they are exactly those events; else
        the log is read."""
        events = [r.event for r in records] if records is not None else self._read(after, upto)
        mine = [e for e in events if not isinstance(e, ProcessedMessage)]
        timeline = tuple(entry(None, e, "") for e in mine) if "timeline" in wanted else ()
        linked = {(e.document_id, f"{LINKED[kind]}:{e.document_id}") for e in timeline
                  if (kind := e.event.partition(".")[0]) in LINKED}  # fmt: skip
        links = tuple((d, self.read_models.linked_orders(link)) for d, link in linked)
        orders = {e.originator_id for e in mine if _topic(e).startswith(PO_TOPIC)}
        views = (self.read_models.purchase_order_with_id(str(i)) for i in orders)
        changed = tuple(v for v in views if v is not None) if "orders" in wanted else ()
        if "cases" not in wanted:  # the next follower's `prime` reads them afresh
            return Change(upto, timeline, changed, linked=links)
        touched = any(_topic(e).startswith(CASE_TOPIC) for e in mine)
        cases = self._case_changes() if touched else ()
        return Change(upto, timeline, changed, cases, links)

    def _read(self, after: int, upto: int) -> list[Any]:
        self.log_reads += 1
        events = []
        start = after + 1
        while start <= upto:
            found = self.select(start, MAX_EVENTS_A_READ, upto)
            if not found:
                break
            events += [self.decode(n) for n in found]
            start = found[-1].id + 1
        return events

    def _case_changes(self) -> tuple[CaseChange, ...]:
        """Every case read once and compared with the last read: opened, assigned, resolved,
        commented."""
        now = {case.key: case for case in self.read_models.exceptions(None, status=None)}
        before, self._cases = self._cases, now
        if before is None:  # not primed (nobody followed cases): nothing to compare with
            return ()
        changes = []
        for key, case in now.items():
            old = before.get(key)
            if old is None:
                changes.append(CaseChange("opened", case))
            elif old.status != case.status:
                changes.append(CaseChange(case.status, case))
            elif old.owner != case.owner:
                changes.append(CaseChange("assigned", case))
            elif old.comment_count != case.comment_count:
                changes.append(CaseChange("commented", case))
        return tuple(changes)

    def prime(self, cases: bool) -> int:
        """The position to watch from, and (if `cases`) the cases as they are there: read
        afresh, so a list kept from earlier followers is never compared against."""
        position = self.read_models.position()
        if cases:
            self._cases = {c.key: c for c in self.read_models.exceptions(None, status=None)}
        return position


def _topic(event: Any) -> str:
    return type(event).__qualname__


def timeline_of(document_id: str) -> str:
    """The key a document's timeline entries are fanned out under."""
    return f"timeline:{document_id}"


def orders_of(supplier: str | None) -> str:
    """The key of purchase order changes: one supplier's, or every one's (None)."""
    return f"orders:{supplier or '*'}"


def cases_of(supplier: str | None) -> str:
    """The key of case changes: one supplier's, or every one's (None)."""
    return f"cases:{supplier or '*'}"


def parts(change: Change) -> dict[str, Change]:
    """The change split by key, so a subscriber is woken only for what it follows."""
    found: dict[str, Change] = {}

    def add(key: str, **more: tuple[Any, ...]) -> None:
        part = found.get(key, Change(change.position))
        found[key] = replace(part, **{k: getattr(part, k) + v for k, v in more.items()})

    linked = dict(change.linked)
    for entry_ in change.timeline:
        add(timeline_of(entry_.document_id), timeline=(entry_,))
        for order in linked.get(entry_.document_id, ()):  # an ASN's, on its orders' too
            add(timeline_of(order), timeline=(entry_,))
    for view in change.purchase_orders:
        add(orders_of(view.supplier), purchase_orders=(view,))
        add(orders_of(None), purchase_orders=(view,))
    for case in change.cases:
        add(cases_of(case.case.supplier), cases=(case,))
        add(cases_of(None), cases=(case,))
    return found


@dataclass
class LiveFeed:
    """One watcher task per process (started with the first subscriber, stopped with the
    last), handing each change to the subscribers of the keys it touches."""

    source: Notifications
    interval: float = 0.01  # seconds between reads of the views' position
    # Once the projection runner of this process calls `wake`, the position comes with it and
    # is read only this often (views committed by another process: a rebuild's swap).
    woken_interval: float = 1.0
    _queues: dict[str, set[asyncio.Queue[Change]]] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _published: int = -1  # the last position `wake` was given
    # The runner's batches not read yet: (position before, position after, records).
    _committed: deque[tuple[int, int, Sequence[Any]]] = field(
        default_factory=lambda: deque(maxlen=256)
    )
    _woken: asyncio.Event = field(default_factory=asyncio.Event)
    _loop: asyncio.AbstractEventLoop | None = None
    # Told each new position the feed learns, before its change goes out (api/cache.py
    # `Position.moved`: a query sent on a change is not answered from the cache before it).
    moved: list[Callable[[int], None]] = field(default_factory=list)
    reads: int = 0  # position reads so far (one per interval, however many subscribers)
    changes: int = 0  # changes read from the log and fanned out
    watchers: int = 0  # watcher tasks started (one at a time)

    @contextlib.asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[asyncio.Queue[Change]]:
        """A queue of the changes under `key` (`timeline_of`, `orders_of`, `cases_of`)."""
        queue: asyncio.Queue[Change] = asyncio.Queue()
        follows_cases = key.startswith("cases:") and not self._wanted() & {"cases"}
        if self._task is None or self._task.done() or follows_cases:
            start = await asyncio.to_thread(self.source.prime, key.startswith("cases:"))
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._watch(start), name="live-feed")
                self.watchers += 1
        self._queues.setdefault(key, set()).add(queue)
        try:
            yield queue
        finally:
            self._queues[key].discard(queue)
            if not self._queues[key]:
                del self._queues[key]
            if not self._queues:
                self._woken.set()  # the watcher stops now, not at its next poll

    @property
    def watching(self) -> bool:
        """A watcher task runs, and `wake` reaches it."""
        return self._task is not None and not self._task.done() and self._loop is not None

    def _wanted(self) -> frozenset[str]:
        return frozenset(key.partition(":")[0] for key in self._queues)

    @property
    def subscribers(self) -> int:
        return sum(len(queues) for queues in self._queues.values())

    def wake(self, after: int, position: int, records: Sequence[Any] | None = None) -> None:
        """The views committed (after, position] (called from the projection runner's thread
        in this process, with its batch's records): the watcher takes the change now, from
        those records, instead of at its next poll from the log."""
        if position <= self._published:  # a batch at the head: nothing new
            return
        self._published = position
        for listener in self.moved:  # before any subscriber hears of it (the response cache)
            listener(position)
        if records is not None and self._queues:
            self._committed.append((after, position, records))
        loop = self._loop
        if loop is not None and self._queues:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is watching
                loop.call_soon_threadsafe(self._woken.set)

    async def _next_position(self, position: int) -> int:
        """The views' position once it may have moved: woken by the runner, or polled."""
        poll = self.woken_interval if self._published >= 0 else self.interval
        try:
            woken: bool = await asyncio.wait_for(self._woken.wait(), poll)
        except TimeoutError:
            woken = False
        self._woken.clear()
        if self._published > position:
            return self._published
        if woken:  # nothing new (or the last subscriber left): no read
            return position
        self.reads += 1
        read = await asyncio.to_thread(self.source.read_models.position)
        for listener in self.moved:
            listener(read)
        return read

    def _records(self, after: int, upto: int) -> list[Any] | None:
        """The runner's records of (after, upto] when its batches cover exactly that, else
        None (a batch missed or dropped: the log is read)."""
        records: list[Any] = []
        reached = after
        while self._committed and reached < upto:
            start, end, batch = self._committed[0]
            if end > upto:
                break
            self._committed.popleft()
            if end <= reached:  # already read
                continue
            if start != reached:
                return None
            records += batch
            reached = end
        return records if reached == upto else None

    async def _watch(self, position: int) -> None:
        self._woken, self._loop = asyncio.Event(), asyncio.get_running_loop()
        while self._queues:
            try:
                now = await self._next_position(position)
                if now <= position:
                    continue
                records = self._records(position, now)
                change = await asyncio.to_thread(
                    self.source.change, position, now, self._wanted(), records
                )
            except Exception:  # a store fault: say so, try again on the next interval
                log.exception("live feed could not read the views")
                await asyncio.sleep(1.0)
                continue
            position = now
            self.changes += 1
            for key, part in parts(change).items():
                for queue in tuple(self._queues.get(key, ())):
                    queue.put_nowait(part)
        self._task = None
