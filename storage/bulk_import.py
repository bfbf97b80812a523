"""Bulk imports that keep PostgreSQL and Python busy at once: while the server takes in
batch k, batch k+1 is decided.

(Deciding in worker processes was tried too: on two cores, with the server on them as well,
pickling batches across cost more than it freed, 0.30 x raw against 0.44 x here.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import BatchItem, SupplyHub
from domain.errors import DomainError
from domain.outcome import Outcome
from storage.gc_pause import collect_now_and_then, gc_paused
from storage.recorder import COPY_FROM, BinaryInsertRecorder

Results = list[Outcome | DomainError]


@dataclass(frozen=True)
class Decided:
    """A batch decided and encoded, not yet written."""

    results: tuple[Outcome, ...]
    stored: tuple[StoredEvent, ...]
    reads: frozenset[UUID]
    writes: frozenset[UUID]


def decide(hub: SupplyHub, items: Sequence[BatchItem]) -> Decided | None:
    """`prepare_batch` and the events' encoding; None when a command is refused."""
    with gc_paused():  # a batch's objects all live until it is written
        prepared = hub.prepare_batch(items)
        if prepared is None:
            return None
        stored = tuple(hub.mapper.to_stored_event(event) for event in prepared.events)
    return Decided(prepared.results, stored, prepared.reads(), prepared.writes())


class _Write(Protocol):
    def committed(self) -> bool: ...


@dataclass(frozen=True)
class _Done:
    """A write finished before it was handed over (small batches, SQLite)."""

    ok: bool

    def committed(self) -> bool:
        return self.ok


@dataclass
class _InFlight:
    """A batch sent to the store, not yet reported."""

    items: Sequence[BatchItem]
    decided: Decided | None
    write: _Write | None

    def committed(self) -> bool:
        return self.write is not None and self.write.committed()

    def changed_what_was_read(self, successor: Decided) -> bool:
        """Did this batch write a document its successor read before this one committed?
        (A batch that went one by one may have written anything.)"""
        if self.decided is None or not self.committed():
            return True
        return not self.decided.writes.isdisjoint(successor.reads)

    def results(self, hub: SupplyHub) -> Results:
        """Wait for the write; a batch refused or in conflict goes one by one, now that
        everything before it is committed, so each item gets what `handle` would give."""
        if self.decided is not None and self.committed():
            return list(self.decided.results)
        return hub.handle_one_by_one(self.items)


def import_batches(hub: SupplyHub, batches: Iterable[Sequence[BatchItem]]) -> Iterator[Results]:
    """The results of `hub.handle_batch` for each batch, in order, with batch k+1 decided
    while PostgreSQL takes in batch k.

    One thread: batch k's events are encoded and sent without waiting for the server
    (`BinaryInsertRecorder.begin_insert`); batch k+1 is decided; then batch k's commit is
    awaited. (A writer thread did the same slower: each time it waited on the socket it
    had to win the GIL back from the deciding thread, up to 5 ms each time.)

    Writes stay in batch order. A batch decided before its predecessor was committed is
    decided again if it read a document the predecessor wrote, if the predecessor went one
    by one, or if it was refused (it may need what the predecessor creates); a refusal
    then, or a conflict, sends it one by one after the predecessor. So each item gets
    exactly what `handle_batch` in sequence would give. If deciding fails (a bug, an
    interrupt), the batch in flight is still committed before the error propagates; its
    results were not handed out, and a retry of it replays them.
    """
    # The cyclic collector stays off for the whole import, not just while a batch is
    # decided: re-enabled between batches it ran at once, walking every batch still alive
    # (~10 % of an import's GIL time). Cycles are collected every 200th batch
    # (`collect_now_and_then`).
    with gc_paused():
        yield from _pipelined(hub, batches)


def _pipelined(hub: SupplyHub, batches: Iterable[Sequence[BatchItem]]) -> Iterator[Results]:
    in_flight: _InFlight | None = None
    try:
        for count, items in enumerate(batches, 1):
            collect_now_and_then(count)
            decided = decide(hub, items)
            if in_flight is not None:
                finished, in_flight = in_flight, None
                yield finished.results(hub)
                if decided is None or finished.changed_what_was_read(decided):
                    decided = decide(hub, items)  # again, on committed state
            write = _begin_write(hub, decided) if decided is not None else None
            in_flight = _InFlight(items, decided, write)
        if in_flight is not None:
            finished, in_flight = in_flight, None
            yield finished.results(hub)
    finally:
        if in_flight is not None and in_flight.write is not None:
            in_flight.write.committed()


def _begin_write(hub: SupplyHub, decided: Decided) -> _Write:
    """Start writing a batch: without waiting where the store allows it, else whole.
    (Below COPY_FROM events the library's statement, sent whole, is as cheap.)"""
    if isinstance(hub.recorder, BinaryInsertRecorder) and len(decided.stored) >= COPY_FROM:
        try:
            return hub.recorder.begin_insert(decided.stored)
        except IntegrityError:
            return _Done(False)
    try:
        hub.recorder.insert_events(list(decided.stored))
    except IntegrityError:
        return _Done(False)
    return _Done(True)
