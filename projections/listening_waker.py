"""The runner's waker on PostgreSQL: the event store's own NOTIFY (sent by every insert) wakes
it, and the poll catches up when a notification is lost."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg


class ListeningWaker:
    """Wakes on the event store's own NOTIFY, or after the poll.

    The listening connection is re-opened on the next wait after it failed (PostgreSQL
    restarted): the failure is raised once, so the worker loop backs off and notes it, and a
    notification lost meanwhile costs nothing, since the runner reads the log after waking."""

    def __init__(self, url: str, channel: str, connect: Callable[..., Any] = psycopg.connect):
        self.url, self.channel, self.connect = url, channel, connect
        self.conn: Any = None
        self._listen()

    def _listen(self) -> None:
        conn = self.connect(self.url, autocommit=True, connect_timeout=10)
        conn.execute(f'LISTEN "{self.channel}"')
        self.conn = conn

    def wait(self, timeout: float, stopping: threading.Event) -> None:
        """Return on the first notification, after `timeout` seconds, or once stopping."""
        if self.conn is None:
            self._listen()
        deadline = time.monotonic() + timeout
        try:
            while not stopping.is_set() and (left := deadline - time.monotonic()) > 0:
                # Short slices, so a stop is noticed within a tenth of a second.
                for _ in self.conn.notifies(timeout=min(left, 0.1), stop_after=1):
                    return
        except psycopg.Error:
            self.close()
            raise

    def close(self) -> None:
        """Release the listening connection."""
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()
