"""How a new document comes to be: its first event, and the aggregate built from it.

The domain asks for both through `Construction`; by default the library's own constructor
answers (`Aggregate._create`). The composition root passes the faster builder of
`storage/aggregates.py` instead (the one seam where aggregates are built by hand; tested to
build the same). Used where a bulk import creates a document per command (a release, its
idempotency record); other aggregates are created by calling their class.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)
E = TypeVar("E", bound=Aggregate.Created)


class Construction(Protocol):
    def first_event(
        self, aggregate: type[Aggregate], event_class: type[E], id_: UUID, **fields: Any
    ) -> E:
        """The event that creates `aggregate` with id `id_`, stamped now, with `fields`."""
        ...

    def create(self, aggregate: type[A], event_class: type[E], id_: UUID, **fields: Any) -> A:
        """The new aggregate, holding its first event (built from `fields`) as pending."""
        ...


class LibraryConstruction:
    """The library's constructor, as `cls(...)` would call it with an explicit id."""

    def first_event(
        self, aggregate: type[Aggregate], event_class: type[E], id_: UUID, **fields: Any
    ) -> E:
        (event,) = self.create(aggregate, event_class, id_, **fields).collect_events()
        assert isinstance(event, event_class)
        return event

    def create(self, aggregate: type[A], event_class: type[E], id_: UUID, **fields: Any) -> A:
        return aggregate._create(event_class, id=id_, **fields)


LIBRARY: Construction = LibraryConstruction()
