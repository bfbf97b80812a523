"""An API process beside separate workers (`supplyhub serve --api-only` on PostgreSQL): the
view store's NOTIFY, sent as each batch of the views commits (projections/stores/
postgres_views.py), wakes the live feed with the views' position, where it would otherwise
read that position every 10 ms. A notification lost (the listening connection broke) costs
at most the feed's slow poll; the connection is opened again on the next wait."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from projections.listening_waker import ListeningWaker
from projections.stores.postgres_views import views_channel
from storage.database import StoreUnavailableError

log = logging.getLogger("supplyhub.live")

Wake = Callable[[int, int], None]  # (position before, position reached), as the runner calls it


class ViewsFollower:
    """A thread that hands the views' position to `wake` after every commit of the views."""

    def __init__(
        self, url: str, schema: str, position: Callable[[], int], wake: Wake,
        watched: Callable[[], bool] = lambda: True, retry_seconds: float = 1.0,
    ) -> None:  # fmt: skip
        self._waker = ListeningWaker(url, views_channel(schema))
        self._position, self._wake, self._retry = position, wake, retry_seconds
        self._watched = watched  # False while nobody subscribes: no position read then
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="views-follower", daemon=True)

    def start(self) -> ViewsFollower:
        self._hand_over()  # the feed starts from here, and polls slowly from now on
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._waker.close()

    def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                self._waker.wait(60.0, self._stopping)
                if self._watched():
                    self._hand_over()
            except (psycopg.Error, StoreUnavailableError) as error:  # the feed's poll covers it
                log.warning("live views: listening failed (%s); again in %.0f s", error,
                            self._retry)  # fmt: skip
                self._stopping.wait(self._retry)

    def _hand_over(self) -> None:
        position = self._position()
        self._wake(-1, position)
