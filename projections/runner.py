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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.batches import BatchReader
from projections.projection import Processor
from projections.records import Record
from projections.store_faults import store_fault
from projections.stores.view_store import Session, SqlViewStore
from storage.gc_pause import gc_paused

log = logging.getLogger(__name__)


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
    """Feeds the log to the live version of every processor's view, in batches (a new
    version being built for a rebuild is `rebuild/builder.py`'s)."""

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
        step_loop: StepLoop | None = None,
    ) -> None:
        self.recorder = recorder
        self.decode = decode
        self.store = store
        self.processors = {p.name: p for p in processors}
        self.batches = BatchReader(recorder, decode, processors, batch_size)
        self.idle_wait = idle_wait
        self.waker = waker or PollingWaker()
        self.step_loop = step_loop
        self.at_head = False  # the last batch reached the log head as it was when read
        self._position = -1
        # The live loop's last failure ("" while batches commit): /readyz reports it, so a
        # store that refuses writes (read-only, disk full) is visible, not a silent stall.
        self.fault = ""
        # Called with the position reached after each batch the live loop commits (the
        # audit checkpointer); its failure is logged, never stops the views.
        self.after_batch: Callable[[int], object] | None = None
        # Called (from the runner's thread) after each batch the views committed, with the
        # position before it, the position reached and the batch's records (None when the
        # runner reads only some topics: not every event is there): an API in this process
        # wakes its live feed with them instead of polling the position and reading the log.
        self.published: list[Callable[[int, int, Sequence[Record] | None], None]] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def batch_size(self) -> int:
        return self.batches.batch_size

    @batch_size.setter
    def batch_size(self, size: int) -> None:
        self.batches.batch_size = size

    @property
    def topics(self) -> tuple[str, ...] | None:
        """The topics read from the log; None when every event is."""
        return self.batches.topics

    # --- synchronous use ---------------------------------------------------------------------

    def run_batch(self) -> int:
        """Apply one batch (up to `batch_size` events); return how many log events it read."""
        start = min(self._targets_unlocked().values(), default=0) + 1
        records, covered, at_head = self.batches.next(start)
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
        position = self._publish(min((p for _, p in targets.values()), default=0), covered)
        for listener in self.published:
            listener(start - 1, position, records if self.topics is None else None)
        return len(records)

    def catch_up(self) -> int:
        """Process everything up to the log head as of now; return the events read."""
        total = 0
        while True:
            total += self.run_batch()
            if self.at_head:
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
        return {t.name: t.position for t in tracked if t.live and t.name in self.processors}

    def _targets(self, session: Session) -> dict[str, tuple[int, int]]:
        live = session.live_positions()
        return {name: live[name] for name in self.processors if name in live}

    def _publish(self, before: int, covered: int) -> int:
        position = max(before, covered)
        with self._changed:
            self._position = position
            self._changed.notify_all()
        return position
