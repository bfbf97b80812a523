"""The log in batches, as the live runner and a rebuild's builder read it: only the topics
some projection reads, and the next batch read and decoded ahead while this one is applied."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple, TypeVar

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.projection import Processor, topics_of
from projections.records import Record

T = TypeVar("T")
R = TypeVar("R")


class Batch(NamedTuple):
    records: list[Record]
    covered: int  # the log position the batch reflects
    at_head: bool  # nothing more was in the log when it was read


class BatchReader:
    """Reads the batches of the log that `processors` need, from a position on.

    `until`: stop there (a part of a rebuild split between processes), not at the head."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        decode: Callable[[Notification], Any],
        processors: Sequence[Processor],
        batch_size: int,
        until: int | None = None,
    ) -> None:
        self.recorder = recorder
        self.decode = decode
        self.topics = topics_of(processors)  # None: every event is read
        self.batch_size = batch_size
        self.until = until
        if until is not None and self.topics is None:
            raise ValueError("a part of a rebuild reads its topics, up to `until`")
        self._needs = getattr(processors[0], "needs", None) if len(processors) == 1 else None
        self._ahead: tuple[int, Future[Batch]] | None = None  # (start, the batch read ahead)

    def next(self, start: int) -> Batch:
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
            self._ahead = (batch.covered + 1, in_background(self._read_decoded, batch.covered + 1))
        return batch

    def _read_decoded(self, start: int) -> Batch:
        notifications, covered, at_head = self._read(start)
        needs = self._needs  # (a part of a split rebuild: not even decoding others' documents)
        records = [Record(n, self.decode) for n in notifications if needs is None or needs(n)]
        if self.topics is not None:  # every event read is one some projection wants
            for record in records:
                _ = record.event
        return Batch(records, covered, at_head)

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


def in_background(work: Callable[[T], R], argument: T) -> Future[R]:
    """Run `work(argument)` in a daemon thread (nothing to shut down: it ends with its work)."""
    future: Future[R] = Future()

    def run() -> None:
        try:
            future.set_result(work(argument))
        except BaseException as error:  # handed to the thread that waits for the result
            future.set_exception(error)

    threading.Thread(target=run, name="projection-background", daemon=True).start()
    return future
