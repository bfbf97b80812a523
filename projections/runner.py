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

from projections.gc_pause import gc_paused
from projections.projection import Processor, Record, topics_of
from projections.view_store import Session, SqlViewStore

log = logging.getLogger(__name__)


class Waker(Protocol):
    def wait(self, timeout: float, stopping: threading.Event) -> None:
        """Return when new events may be there (a notification), after `timeout`, or soon
        after `stopping` is set."""

    def close(self) -> None: ...


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
    ) -> None:
        self.recorder = recorder
        self.decode = decode
        self.store = store
        self.processors = {p.name: p for p in processors}
        self.topics = topics_of(processors)  # None: every event is read
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.waker = waker or PollingWaker()
        self.building = building
        self.promoted = False
        self._position = -1
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- synchronous use ---------------------------------------------------------------------

    def run_batch(self) -> int:
        """Apply one batch (up to `batch_size` events); return how many log events it read."""
        start = min(self._targets_unlocked().values(), default=0) + 1
        notifications, covered = self._read(start)
        with gc_paused(), self.store.transaction() as session:
            records = [Record(n, self.decode) for n in notifications]
            targets = self._targets(session)
            for name, (version, position) in targets.items():
                if covered <= position:
                    continue
                mine = [r for r in records if r.position > position]
                if mine:
                    self.processors[name].process(mine, session.rows(name, version))
                session.advance(name, version, covered)
            if self.building is not None and len(notifications) < self.batch_size:
                self._promote(session, covered)
        self._publish(min((p for _, p in targets.values()), default=0), covered)
        return len(notifications)

    def catch_up(self) -> int:
        """Process everything up to the log head as of now; return the events read."""
        total = 0
        while True:
            count = self.run_batch()
            total += count
            if self.promoted if self.building is not None else count < self.batch_size:
                return total

    def position(self) -> int:
        """The lowest position over this runner's projections (what every view reflects)."""
        return min(self._targets_unlocked().values(), default=0)

    def wait_until(self, position: int, timeout: float) -> bool:
        """Read-your-writes: True once every view reflects `position`, False on timeout."""
        deadline = time.monotonic() + timeout
        if self._thread is None:  # nobody else will catch up: do it here
            while self.position() < position:
                if self.run_batch() == 0:
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
        while not self._stopping.is_set():
            try:
                count = self.run_batch()
            except Exception:  # a failing batch wrote nothing: log it, back off, retry
                log.exception("projection batch failed; retrying")
                self._stopping.wait(1.0)
                continue
            if count < self.batch_size:
                self.waker.wait(self.idle_wait, self._stopping)
        log.info("projection runner stopped at position %d", self._position)

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

    def _read(self, start: int) -> tuple[Sequence[Notification], int]:
        """The next batch from `start`, and the position it covers: its last event's, or,
        when the batch is short, the head it read up to. With topics, events no projection
        reads are left in the database, and the batch still covers the positions between."""
        if self.topics is None:
            notifications = self.recorder.select_notifications(start, self.batch_size)
            if notifications:
                return notifications, notifications[-1].id
            return notifications, start - 1
        # Writers commit notification ids in order, so every event up to the head is there.
        head = self.recorder.max_notification_id() or 0
        notifications = self.recorder.select_notifications(
            start, self.batch_size, stop=head, topics=self.topics
        )
        if len(notifications) == self.batch_size:
            return notifications, notifications[-1].id
        return notifications, max(head, start - 1)

    def _publish(self, before: int, covered: int) -> None:
        position = max(before, covered)
        with self._changed:
            self._position = position
            self._changed.notify_all()
