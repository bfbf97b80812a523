"""JetStream publish acks counted per window of publishes, on one inbox subscription.

Leaner than `publish_async` (no future, token or JSON decode per message): every publish of a
window names the same reply subject, and the window is done when as many acks came back.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg


class PublishFailedError(Exception):
    """JetStream did not acknowledge a window; the relay retries it from the tracked position."""


@dataclass
class Window:
    reply: str
    expected: int
    acked: int = 0
    error: str = ""
    done: asyncio.Event = field(default_factory=asyncio.Event)


class AckInbox:
    """One wildcard inbox subscription per connection; windows are numbered within it."""

    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox()
        self._numbers = itertools.count()
        self._open: dict[str, Window] = {}

    async def subscribe(self) -> None:
        await self._nc.subscribe(f"{self._prefix}.*", cb=self._on_reply)

    def open(self, expected: int) -> Window:
        window = Window(f"{self._prefix}.{next(self._numbers)}", expected)
        self._open[window.reply] = window
        if expected == 0:
            window.done.set()
        return window

    def close(self, window: Window) -> None:
        self._open.pop(window.reply, None)

    async def _on_reply(self, msg: Msg) -> None:
        window = self._open.get(msg.subject)
        if window is None:
            return  # a late ack for a window already given up on
        if not msg.data or b'"error"' in msg.data:
            # e.g. {"error":{"code":503,...}}, or an empty 503 "no responders": no stream
            status = (msg.headers or {}).get("Status", "")
            window.error = msg.data.decode(errors="replace") or f"status {status}"
        window.acked += 1
        if window.acked >= window.expected:
            window.done.set()


async def wait_for(window: Window, closed: asyncio.Event, timeout: float) -> None:
    """Return once every publish of the window was stored; raise if one was not."""
    waiting = asyncio.ensure_future(window.done.wait())
    lost = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait({waiting, lost}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        lost.cancel()
    if window.error:
        raise PublishFailedError(f"JetStream refused a publish: {window.error}")
    if not window.done.is_set():
        raise PublishFailedError(
            f"{window.expected - window.acked} of {window.expected} publishes unacknowledged "
            "(connection lost or timed out)"
        )
