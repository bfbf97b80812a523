"""Our projection runner: batches of events applied and tracked in one transaction.

Exactly-once: the view rows of a batch and each projection's new position commit together,
and a position that is not newer is refused, so a crash mid-batch leaves nothing behind and
a restart resumes from the last committed position. Wakes on a `Waker` (PostgreSQL LISTEN
with a poll as a safety net, or a plain poll on SQLite).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, TypeVar

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.projection import Processor, Record, topics_of
from projections.store_faults import store_fault
from projections.view_store import Session, SqlViewStore
from storage.gc_pause import gc_paused

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class Waker(Protocol):
    def wait(self, timeout: float, stopping: threading.Event) -> None:
        """Return when new events may be there (a notification), after `timeout`, or soon
        after `stopping` is set."""

    def close(self) -> None: ...


# Runs `step` (one batch) then `idle` (wait for more) until the event is set, riding out
# transient failures: the composition root hands in its resilient worker loop (retry with
# backoff, health state).
StepLoop = Callable[[Callable[[], object], Callable[[], None], threading.Event], None]


class PollingWaker:
    """SQLite has no notifications: sleep a short while between polls."""

    def wait(self, timeout: float, stopping: threading.Event) -> None:
        stopping.wait(timeout)

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    version: int
    live: bool
    position: int
    head: int
    lag_events: int
    lag_seconds: float


class ProjectionRunner:
    """Feeds the log to processors in batches; either the live versions of every view, or
    (`building`) one new version that it switches live once it has caught up."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        decode: Callable[[Notification], Any],
        store: SqlViewStore,
        processors: Sequence[Processor],
        *,
        batch_size: int = 500,
        idle_wait: float = 0.05,
        waker: Waker | None = None,
        building: int | None = None,
        until: int | None = None,
        step_loop: StepLoop | None = None,
    ) -> None:
        self.recorder = recorder
        self.decode = decode
        self.store = store
        self.processors = {p.name: p for p in processors}
        self.topics = topics_of(processors)  # None: every event is read
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.waker = waker or PollingWaker()
        self.step_loop = step_loop
        self.building = building
        # Building one part of a version split between processes: stop at `until` and write
        # rows only; the caller sets the version's position once every part is done.
        self.until = until
        if until is not None and self.topics is None:
            raise ValueError("a part of a rebuild reads its topics, up to `until`")
        self._needs = getattr(processors[0], "needs", None) if len(processors) == 1 else None
        self.promoted = False
        self.at_head = False  # the last batch reached the log head as it was when read
        self._ahead: tuple[int, Future[_Batch]] | None = None  # (start, the batch read ahead)
        self.built_to = -1  # building: the position of the last batch handed to be written
        self._writing: Future[None] | None = None  # building: that batch's transaction
        self._written: dict[str, _Row] = {}  # building: its rows
        self._kept: dict[str, Any] = {}  # building: and their views, if the processor keeps them
        self._position = -1
        # The live loop's last failure ("" while batches commit): /readyz reports it, so a
        # store that refuses writes (read-only, disk full) is visible, not a silent stall.
        self.fault = ""
        # Called with the position reached after each batch the live loop commits (the
        # audit checkpointer); its failure is logged, never stops the views.
        self.after_batch: Callable[[int], object] | None = None
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- synchronous use ---------------------------------------------------------------------

    def run_batch(self) -> int:
        """Apply one batch (up to `batch_size` events); return how many log events it read."""
        if self.building is not None:
            return self._build_batch(self.building)
        start = min(self._targets_unlocked().values(), default=0) + 1
        records, covered, at_head = self._next_batch(start)
        with gc_paused(), self.store.transaction() as session:
            targets = self._targets(session)
            for name, (version, position) in targets.items():
                if covered <= position:
                    continue
                mine = [r for r in records if r.position > position]
                if mine:
                    self.processors[name].process(mine, session.rows(name, version))
                session.advance(name, version, covered)
        self.at_head = at_head
        self._publish(min((p for _, p in targets.values()), default=0), covered)
        return len(records)

    def catch_up(self) -> int:
        """Process everything up to the log head as of now; return the events read."""
        total = 0
        while True:
            total += self.run_batch()
            if self.promoted if self.building is not None else self.at_head:
                return total

    def position(self) -> int:
        """The lowest position over this runner's projections (what every view reflects)."""
        return min(self._targets_unlocked().values(), default=0)

    def wait_until(self, position: int, timeout: float) -> bool:
        """Read-your-writes: True once every view reflects `position`, False on timeout."""
        deadline = time.monotonic() + timeout
        if self._thread is None:  # nobody else will catch up: do it here
            while self.position() < position:
                self.run_batch()
                if self.at_head and self.position() < position:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(self.idle_wait)
            return True
        with self._changed:
            while self._position < position:
                left = deadline - time.monotonic()
                if left <= 0:
                    return self.position() >= position
                self._changed.wait(min(left, 0.05))
        return True

    def status(self) -> list[ProjectionStatus]:
        """Per view version: position, log head, lag in events and in seconds."""
        head = self.recorder.max_notification_id() or 0
        found = []
        for tracked in self.store.tracking():
            lag_seconds = 0.0
            if tracked.position < head:
                following = self.recorder.select_notifications(tracked.position + 1, 1)
                if following:
                    since = self.decode(following[0]).timestamp
                    lag_seconds = max(0.0, (datetime.now(UTC) - since).total_seconds())
            found.append(
                ProjectionStatus(
                    tracked.name,
                    tracked.version,
                    tracked.live,
                    tracked.position,
                    head,
                    max(0, head - tracked.position),
                    lag_seconds,
                )
            )
        return found

    # --- in the background ------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread until `stop()`."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="projection-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the batch in hand, then stop the thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def run_forever(self) -> None:
        """Run in the calling thread until `stop()` is called from elsewhere."""
        self._stopping.clear()
        self._loop()

    def _loop(self) -> None:
        log.info("projection runner started for %s", ", ".join(self.processors))
        step_loop = self.step_loop or self._retry_each_second
        step_loop(self._step, self._idle, self._stopping)
        log.info("projection runner stopped at position %d", self._position)

    def _step(self) -> None:
        """One batch; a store that refuses writes (read-only, disk full) is named in `fault`
        while it lasts, so readiness can say why the views stall."""
        try:
            self.run_batch()
        except Exception as error:  # a failing batch wrote nothing: say why, let the loop retry
            fault = store_fault(error)
            reason = fault.reason if fault is not None else f"{type(error).__name__}: {error}"
            self.fault = f"projections stalled at position {self._position}: {reason}"
            raise
        self.fault = ""
        if self.after_batch is not None:
            try:
                self.after_batch(self._position)
            except Exception:  # e.g. the checkpoint file's disk is full: say so, go on
                log.exception("after-batch hook failed")

    def _retry_each_second(
        self, step: Callable[[], object], idle: Callable[[], None], stopping: threading.Event
    ) -> None:
        """Without a worker loop from the composition root: retry a failed batch each second."""
        while not stopping.is_set():
            try:
                step()
            except Exception:
                log.exception("projection batch failed; retrying")
                stopping.wait(1.0)
                continue
            idle()

    def _idle(self) -> None:
        """At the head, wait for the next events (a batch that failed wrote nothing, so
        running it again after a failure is always safe)."""
        if self.at_head:
            self.waker.wait(self.idle_wait, self._stopping)

    # --- internals --------------------------------------------------------------------------

    def _targets_unlocked(self) -> dict[str, int]:
        tracked = self.store.tracking()
        if self.building is not None:
            return {t.name: t.position for t in tracked if t.version == self.building}
        return {t.name: t.position for t in tracked if t.live and t.name in self.processors}

    def _targets(self, session: Session) -> dict[str, tuple[int, int]]:
        if self.building is not None:
            (name,) = self.processors
            return {name: (self.building, session.position(name, self.building))}
        live = session.live_positions()
        return {name: live[name] for name in self.processors if name in live}

    def _promote(self, session: Session, position: int) -> None:
        (name,) = self.processors
        live = session.live_positions().get(name)
        if live is None or live[1] <= position:  # never switch reads to an older state
            session.set_live(name, self.building or 0)
            self.promoted = True

    def _build_batch(self, version: int) -> int:
        """A batch of a new version, written while the next one is evolved.

        Nobody else writes a version being built, so what a batch wrote can be handed to
        the next one from memory: batch k's rows and position commit in a background thread
        (one transaction, as always) while batch k+1 is evolved, reading the rows k wrote
        from memory and older ones from the table, where batch k-1 committed them before k
        was handed over. At the head it waits for its commit and switches reads. A failed
        write surfaces in the next batch, and the caller drops the version."""
        (name,) = self.processors
        if self.built_to < 0:
            self.built_to = self._targets_unlocked().get(name, 0)
        records, covered, at_head = self._next_batch(self.built_to + 1)
        rows = _BuildingRows(self.store, name, version, self._written, self._kept)
        with gc_paused():
            if records:
                self.processors[name].process(records, rows)
        self._wait_written()  # batch k-1, before k is handed over
        batch = _Written(version, covered, at_head, rows.new)
        self._writing = _in_background(self._write_built, batch)
        self._written, self._kept, self.built_to = rows.new, rows.kept, covered
        self.at_head = at_head
        if at_head:
            self._wait_written()
        return len(records)

    def _write_built(self, batch: _Written) -> None:
        (name,) = self.processors
        rows = [(key, columns, doc) for key, (columns, doc) in batch.rows.items()]
        with self.store.transaction() as session:
            if self.until is not None:  # a part: its rows only
                session.rows(name, batch.version).upsert(rows)
                return
            if batch.covered > session.position(name, batch.version):
                session.rows(name, batch.version).upsert(rows)
                session.advance(name, batch.version, batch.covered)
            if batch.at_head:
                self._promote(session, batch.covered)

    def _wait_written(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def _next_batch(self, start: int) -> _Batch:
        """The batch from `start`, read ahead during the previous one unless that reached the head.

        Catching up (a rebuild, a restart behind the head), the next batch is read and its
        events decoded in a background thread while this one is evolved and written: the
        database's time reading it, and our decoding, fill the time this thread waits on its
        own writes and commit. A batch read ahead from another start is dropped; a batch at
        the head reads nothing ahead, so a live runner always reads fresh after waking."""
        ahead, self._ahead = self._ahead, None
        batch = ahead[1].result() if ahead is not None and ahead[0] == start else None
        if batch is None:
            batch = self._read_decoded(start)
        if not batch.at_head:
            self._ahead = (batch.covered + 1, _in_background(self._read_decoded, batch.covered + 1))
        return batch

    def _read_decoded(self, start: int) -> _Batch:
        notifications, covered, at_head = self._read(start)
        needs = self._needs  # (a part of a split rebuild: not even decoding others' documents)
        records = [Record(n, self.decode) for n in notifications if needs is None or needs(n)]
        if self.topics is not None:  # every event read is one some projection wants
            for record in records:
                _ = record.event
        return _Batch(records, covered, at_head)

    def _read(self, start: int) -> tuple[Sequence[Notification], int, bool]:
        """The next batch from `start`, the position it covers and whether that is the head.

        Without topics: the next `batch_size` events; the batch covers its last event.
        With topics: those topics' events among the next `batch_size` log positions, so
        events no projection reads stay in the database and the batch still covers the
        positions between. The window bounds each query's work whatever the planner
        thinks: asked for the first `batch_size` matches up to the head, PostgreSQL with
        outdated statistics chose to fetch and sort every match up to the head, for every
        batch (~200 ms a batch on a 200,000-event log; bounded, ~15 ms)."""
        if self.topics is None:
            notifications = self.recorder.select_notifications(start, self.batch_size)
            at_head = len(notifications) < self.batch_size
            return notifications, notifications[-1].id if notifications else start - 1, at_head
        # Writers commit notification ids in order, so every event up to the head is there.
        head = self.until if self.until is not None else self.recorder.max_notification_id() or 0
        stop = min(head, start + self.batch_size - 1)
        notifications = self.recorder.select_notifications(
            start, self.batch_size, stop=stop, topics=self.topics
        )
        return notifications, max(stop, start - 1), stop == head

    def _publish(self, before: int, covered: int) -> None:
        position = max(before, covered)
        with self._changed:
            self._position = position
            self._changed.notify_all()


class _Batch(NamedTuple):
    records: list[Record]
    covered: int  # the log position the batch reflects
    at_head: bool  # nothing more was in the log when it was read


def _in_background(work: Callable[[T], R], argument: T) -> Future[R]:
    """Run `work(argument)` in a daemon thread (nothing to shut down: it ends with its work)."""
    future: Future[R] = Future()

    def run() -> None:
        try:
            future.set_result(work(argument))
        except BaseException as error:  # handed to the thread that waits for the result
            future.set_exception(error)

    threading.Thread(target=run, name="projection-background", daemon=True).start()
    return future


_Row = tuple[tuple[Any, ...], str]  # a view row's typed columns and its doc


class _Written(NamedTuple):
    version: int
    covered: int
    at_head: bool
    rows: dict[str, _Row]


class _BuildingRows:
    """`Rows` of a version being built: rows the previous batch wrote (maybe not committed
    yet) from memory, the rest from the table; what this batch writes is kept in `new`."""

    def __init__(
        self,
        store: SqlViewStore,
        name: str,
        version: int,
        previous: dict[str, _Row],
        carried: dict[str, Any],
    ) -> None:
        self.store, self.name, self.version, self.previous = store, name, version, previous
        self.new: dict[str, _Row] = {}
        self.carried = carried  # (CarriesViews) the previous batch's views, for projections
        self.kept: dict[str, Any] = {}

    def load(self, keys: Iterable[str]) -> dict[str, str]:
        found, missing = {}, []
        for key in keys:
            row = self.previous.get(key)
            if row is None:
                missing.append(key)
            else:
                found[key] = row[1]
        if missing:
            found.update(self.store.load(self.name, self.version, missing))
        return found

    def upsert(self, rows: Sequence[tuple[str, tuple[Any, ...], str]]) -> None:
        self.new.update((key, (columns, doc)) for key, columns, doc in rows)

    def last(self) -> tuple[str, str] | None:
        stored = self.store.last_of(self.name, self.version)
        if not self.previous:
            return stored
        key = max(self.previous)
        return stored if stored is not None and stored[0] > key else (key, self.previous[key][1])
