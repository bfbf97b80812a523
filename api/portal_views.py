"""The first time a supplier's user opens each revision of an order in the portal
(`RecordPortalView`, domain/portal_view.py), recorded off the request's path: the read answers
at once; a bounded queue is drained by one thread. A revision this process noted already is not
queued again, and the hub's idempotency (one message id per order and revision, in the
supplier's namespace) keeps replicas from recording the same first view twice. A queue full or
a refused write loses nothing the portal shows: the next read of that revision tries again."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import replace

from api.auth import Role
from api.envelope import Envelope
from domain.application import SupplyHub
from domain.commands import RecordPortalView
from domain.errors import DomainError
from domain.provenance import Provenance
from projections.read_models import PurchaseOrderView

log = logging.getLogger("supplyhub.portal")

_Key = tuple[str, int]  # (PO number, revision)


class PortalViews:
    def __init__(self, hub: SupplyHub, capacity: int = 10_000, remembered: int = 100_000):
        self._hub = hub
        self._queue: queue.Queue[tuple[_Key, Provenance] | None] = queue.Queue(capacity)
        self._remembered = remembered
        self._noted: set[_Key] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.recorded = 0  # first views written by this process

    def note(self, po: PurchaseOrderView, envelope: Envelope) -> None:
        """A supplier's user read ``po`` by its number (anyone else's read is not a view)."""
        if envelope.principal.role is not Role.SUPPLIER:
            return
        key = (po.number, po.revision)
        with self._lock:
            if key in self._noted:
                return
            if len(self._noted) >= self._remembered:
                self._noted.clear()  # forgotten ones are replays for the hub: nothing written
            self._noted.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="portal-views",
                                                daemon=True)  # fmt: skip
                self._thread.start()
        provenance = envelope.provenance(f"portal-view:{po.number}:{po.revision}")
        try:
            self._queue.put_nowait((key, replace(provenance, payload_ref="")))
        except queue.Full:
            self._forget(key)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until what was noted is written (tests, shutdown); whether it was."""
        done = threading.Event()

        def joined() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=joined, daemon=True).start()
        return done.wait(timeout)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(5)

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            key, provenance = item
            try:
                outcome = self._hub.handle(RecordPortalView(*key), provenance)
                self.recorded += outcome.status == "applied" and not outcome.replayed
            except DomainError as error:  # e.g. two replicas' first views raced: one is kept
                log.info("portal view of %s r%s not recorded: %s", *key, error)
                self._forget(key)
            except Exception:  # the store away: the next read of it tries again
                log.warning("portal view of %s r%s not recorded", *key, exc_info=True)
                self._forget(key)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _forget(self, key: _Key) -> None:
        with self._lock:
            self._noted.discard(key)
