"""What a projection is: a table shape plus pure evolve functions registered per event class.

A projection says *what* (evolve a view from an event); the runner says *when* (live, in
batches, or from zero in a rebuild). Keys say which rows an event touches; a key function
may look rows up (an ASN milestone finds its purchase orders through a link row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from eventsourcing.utils import get_topic

from projections.records import Record
from storage import view_codec

if TYPE_CHECKING:
    from projections.rebuild.parts import ProjectionPart

# The rows an event touches, as (key, ref): `ref` tells the evolve function which part of
# the row the event is about (an invoice number inside a purchase order view, say).
Lookup = Callable[[str], Any]
Keys = Callable[[Any, Lookup], Iterable[tuple[str, str]]]
Evolve = Callable[[Any, Any, str], Any]


@dataclass(frozen=True)
class Column:
    """A typed column beside the row's JSON, for the filters queries need."""

    name: str
    kind: str = "text"  # text | bool | int
    indexed: bool = False  # each index costs every write: only where queries need one


@dataclass(frozen=True)
class Evolver:
    """One registration: which rows an event touches (`keys`) and how each evolves."""

    keys: Keys
    evolve: Evolve
    creates: bool  # called without a row; otherwise events for unknown rows are skipped
    # With the default keys (the event's own document), their prefix: the row an event
    # touches is then known from its notification, before it is decoded.
    own_prefix: str | None = None


def by_originator(prefix: str) -> Keys:
    """The default: the row of the event's own document."""
    if not prefix:
        return lambda event, _lookup: (
            (f"{event.originator_id}:{event.originator_version:010d}", ""),
        )
    return lambda event, _lookup: ((f"{prefix}:{event.originator_id}", ""),)


class Rows(Protocol):
    """One version of one view table, inside the runner's transaction."""

    def load(self, keys: Iterable[str]) -> dict[str, str]: ...

    def upsert(self, rows: Sequence[tuple[str, tuple[Any, ...], str]]) -> None: ...

    def last(self) -> tuple[str, str] | None: ...


@runtime_checkable
class CarriesViews(Protocol):
    """Rows that hand a batch's views to the next batch as values, not JSON (a rebuild's:
    views are immutable, and decoding a row again cost a tenth of its main thread)."""

    carried: dict[str, Any]  # the views the previous batch wrote, by key
    kept: dict[str, Any]  # the views this batch writes, set before `upsert`


class Processor(Protocol):
    """Anything the runner can feed a batch of records to. A processor may also say which
    event topics it reads (a `topics` attribute, None for every one): the runner then reads
    only those from the log (see `topics_of`)."""

    name: str
    columns: tuple[Column, ...]

    def process(self, records: Sequence[Record], rows: Rows) -> int: ...


@dataclass
class Projection:
    """A view table and the evolve functions that maintain it.

    `columns(view)` gives the typed column values of a row; `evolve(view, event, ref)`
    returns the new frozen view (or the same object when nothing changed, or None to
    write nothing).
    """

    name: str
    columns: tuple[Column, ...]
    row_columns: Callable[[Any], tuple[Any, ...]]
    evolvers: dict[str, list[Evolver]] = field(default_factory=dict)  # by stable topic
    fallback: Evolver | None = None
    excluded: str = "\0"
    # Rows whose keys start so are documents a rebuild may split between processes (see
    # `part`); "" when it may not. Other rows (links) are kept whole by every part.
    split_by: str = ""

    def on(
        self, *event_classes: type[Any], keys: Keys | None = None, creates: bool = False
    ) -> Callable[[Evolve], Evolve]:
        """Register an evolve function for these event classes (`PurchaseOrder.Released`);
        `creates` if it may start a row that does not exist. The log names an event by its
        stable topic, taken from the class here, once."""

        def register(evolve: Evolve) -> Evolve:
            for event_class in event_classes:
                prefix = event_class.__qualname__.split(".")[0].lower()
                chosen = keys or by_originator(prefix)
                evolver = Evolver(chosen, evolve, creates, None if keys else prefix)
                self.evolvers.setdefault(get_topic(event_class), []).append(evolver)
            return evolve

        return register

    def every_event(self, *, except_of: type[Any]) -> Callable[[Evolve], Evolve]:
        """Register an evolve function for every event but those of one aggregate class."""

        def register(evolve: Evolve) -> Evolve:
            self.fallback = Evolver(by_originator(""), evolve, creates=True)
            self.excluded = get_topic(except_of)
            return evolve

        return register

    @property
    def topics(self) -> tuple[str, ...] | None:
        """The topics this projection reads; None when it reads every event."""
        return None if self.fallback is not None else tuple(self.evolvers)

    def evolvers_for(self, topic: str) -> Sequence[Evolver]:
        found = self.evolvers.get(topic)
        if found is not None:
            return found
        if self.fallback is None or topic.startswith(self.excluded):
            return ()
        return (self.fallback,)

    def process(
        self, records: Sequence[Record], rows: Rows, part: ProjectionPart | None = None
    ) -> int:
        """Evolve the rows a batch touches, in memory, then write each changed row once.

        As one `part` of a rebuild split between processes: only the part's own documents
        and the shared rows are evolved, and only those the part writes are written."""
        wanted = [(r, hs) for r in records if (hs := self.evolvers_for(r.notification.topic))]
        if not wanted:
            return 0
        carried = rows.carried if isinstance(rows, CarriesViews) else {}
        cache: dict[str, Any] = {}

        def lookup(key: str) -> Any:
            if key not in cache:
                if part is not None and part.elsewhere(key):
                    raise PartError(f"{self.name}: a key function looked up {key}, another "
                                    "part's document: this projection cannot be split")  # fmt: skip
                if part is not None and not key.startswith(self.split_by):
                    cache[key] = part.shared.get(key)
                elif key in carried:
                    cache[key] = carried[key]
                else:
                    found = rows.load((key,)).get(key)
                    cache[key] = None if found is None else view_codec.decode(found)
            return cache[key]

        # Rows whose keys need no lookup are fetched in one query up front; the rest lazily.
        # Such keys depend on the event alone, so they are kept for the evolve pass below.
        known: dict[tuple[int, int], list[tuple[str, str]]] = {}
        first: set[str] = set()
        for at, (record, evolvers) in enumerate(wanted):
            for which, evolver in enumerate(evolvers):
                try:  # (not contextlib.suppress: an object per event, on the hot path)
                    pure = known[at, which] = list(evolver.keys(record.event, _refuse))
                except _NeedsLookupError:
                    continue
                first.update(key for key, _ in pure)
        if part is not None:  # other parts' documents are theirs; shared rows are in memory
            first = {key for key in first if not part.elsewhere(key)}
            links = (key for key in first if not key.startswith(self.split_by))
            cache.update((key, part.shared.get(key)) for key in links)
        cache.update((key, carried[key]) for key in first if key in carried)
        for key, doc in rows.load(first.difference(cache)).items():
            cache[key] = view_codec.decode(doc)
        cache.update({key: None for key in first if key not in cache})
        dirty: set[str] = set()
        for at, (record, evolvers) in enumerate(wanted):
            event = record.event
            for which, evolver in enumerate(evolvers):
                keys = known.get((at, which))
                for key, ref in evolver.keys(event, lookup) if keys is None else keys:
                    if part is not None and part.elsewhere(key):
                        continue
                    view = lookup(key)
                    if view is None and not evolver.creates:
                        continue
                    new = evolver.evolve(view, event, ref)
                    if new is not None and new is not view:
                        cache[key] = new
                        dirty.add(key)
        if part is not None:
            dirty = part.keep_shared(dirty, cache)
        if isinstance(rows, CarriesViews):
            rows.kept = {key: cache[key] for key in dirty}
        rows.upsert(
            [(key, self.row_columns(cache[key]), view_codec.encode(cache[key])) for key in dirty]
        )
        return len(wanted)


class PartError(Exception):
    """A projection split between processes did something a split cannot reproduce."""


def topics_of(processors: Iterable[Processor]) -> tuple[str, ...] | None:
    """The union of the processors' topics, or None if one of them reads every event."""
    union: set[str] = set()
    for processor in processors:
        topics: tuple[str, ...] | None = getattr(processor, "topics", None)
        if topics is None:
            return None
        union.update(topics)
    return tuple(sorted(union))


class _NeedsLookupError(Exception):
    pass


def _refuse(key: str) -> Any:
    raise _NeedsLookupError(key)
