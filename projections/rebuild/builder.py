"""Building one new version of one view from the log, for a rebuild (`blue_green.py`).

Nobody else writes a version being built, so what a batch wrote can be handed to the next
one from memory: batch k's rows and position commit in a background thread (one
transaction, as always) while batch k+1 is evolved, reading the rows k wrote from memory
and older ones from the table, where batch k-1 committed them before k was handed over. At
the head it waits for its commit and switches reads. A failed write surfaces in the next
batch, and the caller drops the version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.batches import BatchReader, in_background
from projections.projection import Processor
from projections.stores.view_store import Session, SqlViewStore
from storage.gc_pause import gc_paused


class VersionBuilder:
    """Feeds the log to one processor, writing `version` of its view, and switches reads to
    it once it has caught up. As a part of a rebuild split between processes (`until`):
    stops there and writes rows only; the rebuild sets the position once every part is done."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        decode: Callable[[Notification], Any],
        store: SqlViewStore,
        processor: Processor,
        version: int,
        *,
        batch_size: int = 500,
        until: int | None = None,
    ) -> None:
        self.store = store
        self.processor = processor
        self.version = version
        self.until = until
        self.batches = BatchReader(recorder, decode, [processor], batch_size, until)
        self.promoted = False
        self.at_head = False  # the last batch reached the log head as it was when read
        self.built_to = -1  # the position of the last batch handed to be written
        self._writing: Future[None] | None = None  # that batch's transaction
        self._written: dict[str, _Row] = {}  # its rows
        self._kept: dict[str, Any] = {}  # and their views, if the processor keeps them

    def position(self) -> int:
        """The position the version's committed rows reflect."""
        tracked = self.store.tracking()
        name, version = self.processor.name, self.version
        return next((t.position for t in tracked if (t.name, t.version) == (name, version)), 0)

    def run_batch(self) -> int:
        """Evolve one batch, hand it to be written; return how many log events it read."""
        name = self.processor.name
        if self.built_to < 0:
            self.built_to = self.position()
        records, covered, at_head = self.batches.next(self.built_to + 1)
        rows = _BuildingRows(self.store, name, self.version, self._written, self._kept)
        with gc_paused():
            if records:
                self.processor.process(records, rows)
        self._wait_written()  # batch k-1, before k is handed over
        batch = _Written(self.version, covered, at_head, rows.new)
        self._writing = in_background(self._write_built, batch)
        self._written, self._kept, self.built_to = rows.new, rows.kept, covered
        self.at_head = at_head
        if at_head:
            self._wait_written()
        return len(records)

    def _promote(self, session: Session, position: int) -> None:
        name = self.processor.name
        live = session.live_positions().get(name)
        if live is None or live[1] <= position:  # never switch reads to an older state
            session.set_live(name, self.version)
            self.promoted = True

    def _write_built(self, batch: _Written) -> None:
        name = self.processor.name
        rows = [(key, columns, doc) for key, (columns, doc) in batch.rows.items()]
        with self.store.transaction() as session:
            if self.until is not None:  # a part: its rows only
                session.rows(name, batch.version).upsert(rows)
                return
            if batch.covered > session.position(name, batch.version):
                session.rows(name, batch.version).upsert(rows)
                session.advance(name, batch.version, batch.covered)
            if batch.at_head:
                self._promote(session, batch.covered)

    def _wait_written(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()


_Row = tuple[tuple[Any, ...], str]  # a view row's typed columns and its doc


class _Written(NamedTuple):
    version: int
    covered: int
    at_head: bool
    rows: dict[str, _Row]


class _BuildingRows:
    """`Rows` of a version being built: rows the previous batch wrote (maybe not committed
    yet) from memory, the rest from the table; what this batch writes is kept in `new`."""

    def __init__(
        self,
        store: SqlViewStore,
        name: str,
        version: int,
        previous: dict[str, _Row],
        carried: dict[str, Any],
    ) -> None:
        self.store, self.name, self.version, self.previous = store, name, version, previous
        self.new: dict[str, _Row] = {}
        self.carried = carried  # (CarriesViews) the previous batch's views, for projections
        self.kept: dict[str, Any] = {}

    def load(self, keys: Iterable[str]) -> dict[str, str]:
        found, missing = {}, []
        for key in keys:
            row = self.previous.get(key)
            if row is None:
                missing.append(key)
            else:
                found[key] = row[1]
        if missing:
            found.update(self.store.load(self.name, self.version, missing))
        return found

    def upsert(self, rows: Sequence[tuple[str, tuple[Any, ...], str]]) -> None:
        self.new.update((key, (columns, doc)) for key, columns, doc in rows)

    def last(self) -> tuple[str, str] | None:
        stored = self.store.last_of(self.name, self.version)
        if not self.previous:
            return stored
        key = max(self.previous)
        return stored if stored is not None and stored[0] > key else (key, self.previous[key][1])
