"""Bulk imports that keep PostgreSQL and Python busy at once: while one batch is being
written, the next is decided."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from domain.application import BatchItem, PreparedBatch, SupplyHub
from domain.errors import DomainError
from domain.outcome import Outcome

Results = list[Outcome | DomainError]


@dataclass(frozen=True)
class _InFlight:
    items: Sequence[BatchItem]
    prepared: PreparedBatch | None
    written: Future[bool] | None

    def changed_what_was_read(self, successor: PreparedBatch) -> bool:
        """Did this batch write a document its successor read before this one committed?
        (A batch that went one by one may have written anything.)"""
        if self.prepared is None or self.written is None or not self.written.result():
            return True
        return not self.prepared.writes().isdisjoint(successor.reads())

    def results(self, hub: SupplyHub) -> Results:
        """Wait for the write; a batch refused or in conflict goes one by one, now that
        everything before it is committed, so each item gets what `handle` would give."""
        if self.prepared is not None and self.written is not None and self.written.result():
            return list(self.prepared.results)
        return hub.handle_one_by_one(self.items)


def import_batches(hub: SupplyHub, batches: Iterable[Sequence[BatchItem]]) -> Iterator[Results]:
    """The results of `hub.handle_batch` for each batch, in order, with batch k+1 decided
    while batch k is written.

    Writes stay in batch order (one writer thread). A batch decided before its predecessor
    was committed is decided again if it read a document the predecessor wrote (or if the
    predecessor went one by one); a refusal or a conflict sends it one by one after the
    predecessor. So each item gets exactly what `handle_batch` in sequence would give.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="supplyhub-bulk") as writer:
        in_flight: _InFlight | None = None
        for items in batches:
            prepared = hub.prepare_batch(items)
            if in_flight is not None:
                yield in_flight.results(hub)
                if prepared is not None and in_flight.changed_what_was_read(prepared):
                    prepared = hub.prepare_batch(items)  # decide again on committed state
            written = writer.submit(hub.commit_batch, prepared) if prepared is not None else None
            in_flight = _InFlight(items, prepared, written)
        if in_flight is not None:
            yield in_flight.results(hub)
