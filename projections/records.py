"""A record of the log as the runner hands it to projections: decoded only when asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Notification


class Record:
    """One notification of the log, decoded only if some projection wants its event."""

    __slots__ = ("_decode", "_event", "notification")

    def __init__(self, notification: Notification, decode: Callable[[Notification], Any]) -> None:
        self.notification = notification
        self._decode = decode
        self._event: Any = None

    @property
    def position(self) -> int:
        return self.notification.id

    @property
    def event(self) -> Any:
        if self._event is None:
            self._event = self._decode(self.notification)
        return self._event
