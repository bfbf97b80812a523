"""What a projection is: a table shape plus pure evolve functions registered per event topic.

A projection says *what* (evolve a view from an event); the runner says *when* (live, in
batches, or from zero in a rebuild). Keys say which rows an event touches; a key function
may look rows up (an ASN milestone finds its purchase orders through a link row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import Notification

from storage import view_codec

# The rows an event touches, as (key, ref): `ref` tells the evolve function which part of
# the row the event is about (an invoice number inside a purchase order view, say).
TOPIC_PREFIX = "supplyhub:"  # every aggregate's stable topics start so (see `TOPIC` in domain/)
Lookup = Callable[[str], Any]
Keys = Callable[[Any, Lookup], Iterable[tuple[str, str]]]
Evolve = Callable[[Any, Any, str], Any]


@dataclass(frozen=True)
class Column:
    """A typed column beside the row's JSON, for the filters queries need."""

    name: str
    kind: str = "text"  # text | bool
    indexed: bool = False  # each index costs every write: only where queries need one


@dataclass(frozen=True)
class Handler:
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


V = TypeVar("V")


def evolved(view: V, **changes: Any) -> V:
    """`dataclasses.replace` for frozen views, without re-running `__init__`: views have no
    validation in it, and this is the rebuild's hot path (about six times faster)."""
    fields = view.__dict__
    merged = fields.copy()
    merged.update(changes)
    if len(merged) != len(fields):  # a change named something the view does not have
        raise TypeError(f"{type(view).__name__} has no field {set(changes) - set(fields)}")
    new: V = object.__new__(type(view))
    object.__setattr__(new, "__dict__", merged)  # (frozen: the dict is set, not copied)
    return new


def built(cls: type[V], **fields: Any) -> V:
    """A new frozen view, without `__init__` (as `evolved`): fields with a default may be left
    out; they are stored in declared order, as `__init__` stores them (the JSON follows it).
    A missing or unknown field raises TypeError, as `__init__` would."""
    made: V = (_makers.get(cls) or _maker(cls))(**fields)
    return made


_makers: dict[type[Any], Callable[..., Any]] = {}


def _maker(cls: type[Any]) -> Callable[..., Any]:
    """One generated function per view class, the way `dataclasses` generates `__init__`,
    but setting the instance's dict in one step: Python binds the keywords (and refuses a
    wrong one) in C, where checking and reordering a keyword dict took most of `built`."""
    if "__post_init__" in vars(cls) or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} needs its __init__")
    found = dataclasses.fields(cls)
    if any(f.default_factory is not dataclasses.MISSING for f in found):
        raise TypeError(f"{cls.__name__} has a default factory")
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "put": object.__setattr__}
    params = []
    for f in found:  # dataclass field names are identifiers: safe to splice
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    values = ", ".join(f"{f.name!r}: {f.name}" for f in found)
    source = (
        f"def {cls.__name__}_made(*, {', '.join(params)}):\n"
        f"    view = new(cls)\n    put(view, '__dict__', {{{values}}})\n    return view\n"
    )
    exec(source, namespace)  # (source built from the field names only)
    maker: Callable[..., Any] = namespace[f"{cls.__name__}_made"]
    _makers[cls] = maker
    return maker


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
    handlers: dict[str, list[Handler]] = field(default_factory=dict)
    fallback: Handler | None = None
    excluded: str = "\0"
    # Rows whose keys start so are documents a rebuild may split between processes (see
    # `part`); "" when it may not. Other rows (links) are kept whole by every part.
    split_by: str = ""

    def on(
        self, *event_names: str, keys: Keys | None = None, creates: bool = False
    ) -> Callable[[Evolve], Evolve]:
        """Register an evolve function for these events, named as in their stable topics
        ("PurchaseOrder.Released"); `creates` if it may start a row that does not exist."""

        def register(evolve: Evolve) -> Evolve:
            for event_name in event_names:
                prefix = event_name.split(".")[0].lower()
                chosen = keys or by_originator(prefix)
                handler = Handler(chosen, evolve, creates, None if keys else prefix)
                self.handlers.setdefault(TOPIC_PREFIX + event_name, []).append(handler)
            return evolve

        return register

    def every_event(self, *, except_prefix: str) -> Callable[[Evolve], Evolve]:
        """Register an evolve function for every topic but those starting with a prefix."""

        def register(evolve: Evolve) -> Evolve:
            self.fallback = Handler(by_originator(""), evolve, creates=True)
            self.excluded = except_prefix
            return evolve

        return register

    @property
    def topics(self) -> tuple[str, ...] | None:
        """The topics this projection reads; None when it reads every event."""
        return None if self.fallback is not None else tuple(self.handlers)

    def handlers_for(self, topic: str) -> Sequence[Handler]:
        found = self.handlers.get(topic)
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
        wanted = [(r, hs) for r in records if (hs := self.handlers_for(r.notification.topic))]
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
        for at, (record, handlers) in enumerate(wanted):
            for which, handler in enumerate(handlers):
                try:  # (not contextlib.suppress: an object per event, on the hot path)
                    pure = known[at, which] = list(handler.keys(record.event, _refuse))
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
        for at, (record, handlers) in enumerate(wanted):
            event = record.event
            for which, handler in enumerate(handlers):
                keys = known.get((at, which))
                for key, ref in handler.keys(event, lookup) if keys is None else keys:
                    if part is not None and part.elsewhere(key):
                        continue
                    view = lookup(key)
                    if view is None and not handler.creates:
                        continue
                    new = handler.evolve(view, event, ref)
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

    def part(self, segment: Segment) -> ProjectionPart:
        """This projection as one part of a rebuild split between processes."""
        if not self.split_by:
            raise ValueError(f"{self.name} names no documents to split a rebuild by")
        return ProjectionPart(self, segment)


_IDS = 1 << 32  # a document's part is decided by the last 32 bits of its id


@dataclass(frozen=True)
class Segment:
    """Part `index` of `count`: the documents whose id's last 32 bits (a name-based or
    random UUID's: evenly spread) are in [low, high). A document's row key ends with its
    id, so its part is known from the key or from its events' originator id alike, without
    formatting or parsing a UUID (that cost a part a twentieth of its time)."""

    index: int
    count: int
    low: int = 0
    high: int = _IDS

    def owns(self, key: str) -> bool:
        try:
            return self.low <= int(key[-8:], 16) < self.high
        except ValueError:
            raise PartError(f"{key!r}: a document's key must end with its UUID") from None

    def owns_id(self, document_id: UUID | str) -> bool:
        if isinstance(document_id, str):  # (the library allows string ids)
            return self.owns(document_id)
        return self.low <= document_id.int & 0xFFFFFFFF < self.high


def segments(count: int, first: float | None = None) -> list[Segment]:
    """`count` segments covering every document: the first takes the share `first` of
    them (default: an even share), the others share the rest evenly."""
    if count == 1:
        return [Segment(0, 1)]
    share = 1 / count if first is None else first
    rest = count - 1
    bounds = [0, *(round(_IDS * (share + (1 - share) * i / rest)) for i in range(rest + 1))]
    return [Segment(i, count, bounds[i], bounds[i + 1]) for i in range(count)]


class ProjectionPart:
    """One part of a projection's rebuild, for several processes building one new version.

    Each part evolves and writes the document rows (`split_by`) its segment owns, so it
    decodes only the events of its own documents, and the events of other documents that
    may reach them (an ASN's, say: its keys come from its payload). Rows that are not
    documents (links) are evolved by every part from the same events, so every part finds
    the same links; they are kept in memory for the whole rebuild, since the table holds
    only what part 0 wrote so far, and part 0 alone writes them. A key function looking up
    another part's document would diverge, so it fails the rebuild instead.
    """

    def __init__(self, projection: Projection, segment: Segment) -> None:
        self.projection = projection
        self.segment = segment
        self.name = projection.name
        self.columns = projection.columns
        self.topics = projection.topics
        self.shared: dict[str, Any] = {}  # every link row so far, by key
        self._reach: dict[str, str] = {}  # per topic: "none", "document" or "every" part

    def needs(self, notification: Notification) -> bool:
        """Whether the event may touch a row of this part (else it is not even decoded)."""
        reach = self._reach.get(notification.topic) or self._reach_of(notification.topic)
        if reach == "document":
            return self.segment.owns_id(notification.originator_id)
        return reach == "every"

    def _reach_of(self, topic: str) -> str:
        handlers = self.projection.handlers_for(topic)
        documents = self.projection.split_by
        if not handlers:
            reach = "none"
        elif all(h.own_prefix is not None and f"{h.own_prefix}:".startswith(documents)
                 for h in handlers):  # fmt: skip
            reach = "document"  # its only row is its own document's
        else:
            reach = "every"  # its keys come from its payload, or it touches shared rows
        self._reach[topic] = reach
        return reach

    def elsewhere(self, key: str) -> bool:
        """Whether `key` is another part's document."""
        return key.startswith(self.projection.split_by) and not self.segment.owns(key)

    def keep_shared(self, dirty: set[str], views: dict[str, Any]) -> set[str]:
        """Keep the changed shared rows; return the changed rows this part writes."""
        documents = self.projection.split_by
        for key in dirty:
            if not key.startswith(documents):
                self.shared[key] = views[key]
        if self.segment.index == 0:
            return dirty
        return {key for key in dirty if key.startswith(documents)}

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        return self.projection.process(records, rows, self)


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
