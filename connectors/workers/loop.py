"""One resilient loop for every long-running worker (relay, inbound, projections, channels).

A worker's session (connect, then work until told to stop) runs inside `ResilientLoop`: a
transient failure of the store or of NATS (connection lost, server restarting, pool
exhausted, DNS) is logged, the worker's state becomes `retrying`, and the session starts
again after an exponential backoff with jitter, re-opening its connections and resuming from
the position it committed. Anything else is a bug or a configuration error: the loop stops
and re-raises it, so the process exits non-zero with the error in its last log line.

`WorkerHealth` is what `/readyz`, the metrics and `supplyhub worker NAME --health` read: the
state, the consecutive failures and a heartbeat file whose age proves the loop is turning.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import nats.errors
import nats.js.errors
import psycopg
from eventsourcing import persistence
from psycopg_pool import PoolTimeout

from connectors.nats.acks import PublishFailedError
from storage.database import StoreUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

# The store or the broker is away for a while: waiting helps. Not here on purpose: nats
# errors that mean a bug (bad subject, bad header, JSON), or any other exception.
TRANSIENT: tuple[type[BaseException], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    PoolTimeout,
    sqlite3.OperationalError,  # the file is locked by a long writer
    StoreUnavailableError,
    PublishFailedError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionDrainingError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.FlushTimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.NoServersError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.StaleConnectionError,
    nats.errors.TimeoutError,
    nats.errors.UnexpectedEOF,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.ServerError,
    nats.js.errors.NoStreamResponseError,
    OSError,  # refused, reset, DNS (socket.gaierror); ConnectionError: an ERP or partner away
    TimeoutError,
)

STARTING, RUNNING, RETRYING = "starting", "running", "retrying"
STOPPED, FAILED = "stopped", "failed"


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT)


@dataclass(frozen=True)
class Backoff:
    """Exponential from `initial_seconds`, capped at `max_seconds`, each delay drawn in its
    upper half (so many workers restarting together do not retry in step)."""

    initial_seconds: float = 0.1
    max_seconds: float = 5.0

    def delay(self, failures: int, draw: Callable[[], float] = random.random) -> float:
        ceiling = min(self.max_seconds, self.initial_seconds * 2.0 ** max(0, failures - 1))
        return ceiling * (0.5 + draw() / 2)


@dataclass(frozen=True)
class WorkerState:
    worker: str
    state: str
    failures: int  # consecutive, since the last progress
    retries_total: int
    last_error: str
    at: float  # unix time of this state or the last heartbeat


class WorkerHealth:
    """A worker's state, shared with probes in the same process and, through the heartbeat
    file, with a health check in another one."""

    BEAT_EVERY_SECONDS = 1.0

    def __init__(self, worker: str, heartbeat: Path | None = None) -> None:
        self.worker = worker
        self.heartbeat = heartbeat
        self._state = WorkerState(worker, STARTING, 0, 0, "", time.time())
        self._lock = threading.Lock()
        self._written_at = 0.0
        # Told each state change and heartbeat (e.g. to record it in the store); must not block.
        self.listeners: list[Callable[[WorkerState], None]] = []

    @property
    def state(self) -> WorkerState:
        return self._state

    def progress(self) -> None:
        """The worker did useful work (or found nothing to do): it is running."""
        current = self._state
        if current.state != RUNNING or current.failures:
            log.info("%s: running", self.worker)
        self._set(WorkerState(self.worker, RUNNING, 0, current.retries_total, "", time.time()))

    def failed(self, error: BaseException) -> int:
        """A transient failure; returns the consecutive failures so far."""
        current = self._state
        failures = current.failures + 1
        detail = f"{type(error).__name__}: {error}".strip()[:300]
        total = current.retries_total + 1
        self._set(WorkerState(self.worker, RETRYING, failures, total, detail, time.time()))
        return failures

    def stopped(self, error: BaseException | None = None) -> None:
        current = self._state
        state, detail = (FAILED, f"{type(error).__name__}: {error}") if error else (STOPPED, "")
        self._set(WorkerState(self.worker, state, current.failures, current.retries_total,
                              detail, time.time()))  # fmt: skip

    def _set(self, state: WorkerState) -> None:
        with self._lock:
            changed = state.state != self._state.state or state.failures != self._state.failures
            self._state = state
            if not (changed or state.at - self._written_at >= self.BEAT_EVERY_SECONDS):
                return
            self._written_at = state.at
            if self.heartbeat is not None:
                _write_atomically(self.heartbeat, json.dumps(asdict(state)))
            for listener in self.listeners:
                listener(state)


def read_heartbeat(path: Path, max_age_seconds: float, now: float | None = None) -> str | None:
    """None if the heartbeat is fresh and the worker not stopped, else what is wrong."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return f"no heartbeat at {path}: {error}"
    age = (time.time() if now is None else now) - float(found.get("at", 0))
    if found.get("state") in (STOPPED, FAILED):
        return f"{found.get('worker')} is {found.get('state')}: {found.get('last_error', '')}"
    if age > max_age_seconds:
        return f"{found.get('worker')} last beat {age:.0f}s ago (limit {max_age_seconds:.0f}s)"
    return None


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(text)
        os.replace(temporary, path)
    except OSError as error:  # a full or read-only disk must not stop the worker
        log.warning("cannot write the heartbeat %s: %s", path, error)


class ResilientLoop:
    """Runs a worker's session again after each transient failure, with backoff."""

    def __init__(self, health: WorkerHealth, backoff: Backoff | None = None) -> None:
        self.health = health
        self.backoff = backoff or Backoff()

    async def run(self, session: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
        """`session` connects and works until `stop` is set; a transient failure starts it
        again after a pause, anything else ends the loop with that error."""
        try:
            while not stop.is_set():
                try:
                    await session()
                except Exception as error:
                    if not is_transient(error):
                        raise
                    await self.pause(error, stop)
        except BaseException as error:
            self.health.stopped(error if isinstance(error, Exception) else None)
            log.critical("%s: stopped by a fatal error: %r", self.health.worker, error)
            raise
        self.health.stopped()

    def open(self, connect: Callable[[], T]) -> T:
        """`connect()` once it succeeds: at start, the store or NATS may not be up yet."""
        while True:
            try:
                return connect()
            except Exception as error:
                if not is_transient(error):
                    raise
                time.sleep(self.note(error))

    async def pause(self, error: BaseException, stop: asyncio.Event) -> None:
        """Note a transient failure and wait out its backoff (or until stopped)."""
        await sleep_unless(stop, self.note(error))

    def run_sync(
        self, step: Callable[[], object], idle: Callable[[], None], stopping: threading.Event
    ) -> None:
        """The same for a thread: `step` (one batch), then `idle` (wait for more), until
        `stopping` is set."""
        try:
            while not stopping.is_set():
                try:
                    step()
                    self.health.progress()
                    idle()
                except Exception as error:
                    if not is_transient(error):
                        raise
                    stopping.wait(self.note(error))
        except BaseException as error:
            self.health.stopped(error if isinstance(error, Exception) else None)
            log.critical("%s: stopped by a fatal error: %r", self.health.worker, error)
            raise
        self.health.stopped()

    def note(self, error: BaseException) -> float:
        """Note a transient failure; returns how long to pause before the next try."""
        failures = self.health.failed(error)
        seconds = self.backoff.delay(failures)
        log.warning("%s: %s: %s; retrying in %.2fs (failure %d)", self.health.worker,
                    type(error).__name__, str(error).strip(), seconds, failures)  # fmt: skip
        return seconds


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when the worker is told to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
