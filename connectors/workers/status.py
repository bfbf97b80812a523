"""Workers' states in the hub's own store, so an API replica's `/readyz` and metrics show
workers that run as other processes (a worker retrying because NATS is away, say).

A worker publishes from a background thread, latest state only: its loop never waits on
the store. A state the store refused (SQLite busy, the store away) is tried again until it
or a newer one is written; meanwhile `/readyz` fails on the store anyway, and an old row
reads as `silent`.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time

from connectors.database import Database
from connectors.workers.loop import WorkerState

log = logging.getLogger(__name__)

SILENT = "silent"  # no state from the worker for longer than its heartbeat may be old


class WorkerStatusStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._ready = False

    def create_table(self) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS backbone_workers (name TEXT PRIMARY KEY, "
                "state TEXT NOT NULL, failures INTEGER NOT NULL, retries_total INTEGER NOT NULL, "
                "last_error TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)"
            )
        self._ready = True

    def record(self, state: WorkerState) -> None:
        if not self._ready:
            self.create_table()
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO backbone_workers (name, state, failures, retries_total, last_error, "
                "at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                "state = excluded.state, failures = excluded.failures, "
                "retries_total = excluded.retries_total, last_error = excluded.last_error, "
                "at = excluded.at",
                (state.worker, state.state, state.failures, state.retries_total,
                 state.last_error, state.at),
            )  # fmt: skip

    def all(self, max_age_seconds: float, now: float | None = None) -> list[WorkerState]:
        """Every worker's last state; one not heard of for `max_age_seconds` is `silent`."""
        if not self._ready:
            self.create_table()
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT name, state, failures, retries_total, last_error, at "
                "FROM backbone_workers ORDER BY name"
            )
        now = time.time() if now is None else now
        found = []
        for name, state, failures, total, error, at in rows:
            if state not in ("stopped", "failed") and now - float(at) > max_age_seconds:
                state = SILENT
            found.append(WorkerState(str(name), str(state), int(failures), int(total),
                                     str(error), float(at)))  # fmt: skip
        return found

    def close(self) -> None:
        self._db.close()


RETRY_SECONDS = 0.25  # a state not written (SQLite busy, the store away) is tried again


class StatusPublisher:
    """Hands a worker's states to a daemon thread that writes the latest one to the store."""

    def __init__(self, store: WorkerStatusStore) -> None:
        self._store = store
        self._latest: queue.Queue[WorkerState] = queue.Queue(maxsize=1)
        threading.Thread(target=self._write, name="worker-status", daemon=True).start()

    def __call__(self, state: WorkerState) -> None:
        with contextlib.suppress(queue.Empty):
            self._latest.get_nowait()  # drop the older state not written yet
        with contextlib.suppress(queue.Full):  # another thread put one: it is as recent
            self._latest.put_nowait(state)

    def _write(self) -> None:
        state = self._latest.get()
        while True:
            try:
                self._store.record(state)
            except Exception as error:  # the store is away or busy: try again, newest first
                log.debug("worker status not recorded: %r", error)
                with contextlib.suppress(queue.Empty):
                    state = self._latest.get(timeout=RETRY_SECONDS)
                continue
            state = self._latest.get()
