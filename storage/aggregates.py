"""The one seam where aggregates are built by hand: a new document's first event, and the
aggregate from it, built directly (`FAST`, a `domain.construction.Construction`).

The composition root gives it to the application, so every command path (single commands,
decided batches, bulk imports) uses it; the domain itself only knows the protocol.

Calling an aggregate class goes through the library's generic argument handling (matching
positional arguments to parameters, filtering the id's parameters, checking topics): a
third of deciding a release in a bulk import. These build the same event from named
fields, and the aggregate from it exactly as replaying the log does.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.construction import Construction

A = TypeVar("A", bound=Aggregate)
E = TypeVar("E", bound=Aggregate.Created)


def first_event(aggregate: type[Aggregate], event_class: type[E], id_: UUID, **fields: Any) -> E:
    """The event that creates `aggregate` with id `id_`, stamped now, with `fields`."""
    base: dict[str, Any] = {
        "originator_id": id_,
        "originator_version": aggregate.INITIAL_VERSION,
        "timestamp": event_class.create_timestamp(),
        "originator_topic": get_topic(aggregate),
    }
    return event_class(**base, **fields)


def created(aggregate: type[A], event: Aggregate.Created, **init: Any) -> A:
    """The new aggregate from its first event, which it holds as pending: built as the
    library's `Created.mutate` builds it (its base attributes from the event, `__init__`,
    then the event's `apply`), with `__init__`'s arguments named by the caller instead of
    matched to its signature at run time (~3x faster; tested equal)."""
    new = aggregate.__new__(aggregate)
    new.__base_init__(event.originator_id, event.originator_version, event.timestamp)
    new.__init__(**init)  # type: ignore[misc]  # (the library calls it the same way)
    event.apply(new)
    new.pending_events.append(event)
    return new


def create(aggregate: type[A], event_class: type[E], id_: UUID, **fields: Any) -> A:
    """The new aggregate holding its first event, both built directly from `fields`."""
    return created(aggregate, first_event(aggregate, event_class, id_, **fields), **fields)


class FastConstruction:
    """`Construction` by the functions above (called directly: no extra frame per document)."""

    first_event = staticmethod(first_event)
    create = staticmethod(create)


FAST: Construction = FastConstruction()
