"""The aggregates one command (or one batch of commands) reads and changes, saved together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, DomainEventProtocol

from domain.construction import LIBRARY, Construction
from domain.errors import ConflictError, NotFoundError, StoredHistoryError

A = TypeVar("A", bound=Aggregate)


class UnitOfWork:
    """Loads each aggregate once and remembers what changed.

    `optimistic` (bulk imports) skips the existence reads before creating a document and
    leaves it to the store's unique (id, version) constraint to refuse a duplicate.
    """

    def __init__(
        self,
        repository: Repository[UUID],
        optimistic: bool = False,
        construction: Construction = LIBRARY,
    ) -> None:
        self._repository = repository
        self.construction = construction  # how the commands of this unit build new documents
        self._optimistic = optimistic
        self._loaded: dict[UUID, Aggregate] = {}
        self._recorded: list[DomainEventProtocol[UUID]] = []

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id in self._loaded:
            found = self._loaded[aggregate_id]
        else:
            try:
                found = self._repository.get(aggregate_id, projector_func=replay)
            except AggregateNotFoundError:
                return None
            self._loaded[aggregate_id] = found
        if not isinstance(found, cls):
            raise ConflictError(f"{aggregate_id} is a {type(found).__name__}, not a {cls.__name__}")
        return found

    def get(self, cls: type[A], aggregate_id: UUID, kind: str, key: str) -> A:
        found = self.find(cls, aggregate_id)
        if found is None:
            raise NotFoundError(kind, key)
        return found

    def require_absent(self, aggregate_id: UUID, what: str) -> None:
        if aggregate_id in self._loaded:
            raise ConflictError(f"{what} already exists")
        # (found by our replay, so a stored history that does not replay is named)
        if not self._optimistic and self.find(Aggregate, aggregate_id) is not None:
            raise ConflictError(f"{what} already exists")

    def add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self._loaded[aggregate.id] = aggregate

    def read(self) -> frozenset[UUID]:
        """The documents this unit loaded or created."""
        return frozenset(self._loaded)

    def record(self, event: DomainEventProtocol[UUID]) -> None:
        """An event to save with the rest that no later command in this unit reads."""
        self._recorded.append(event)

    def pending_events(self) -> list[DomainEventProtocol[UUID]]:
        """Everything to save, each aggregate's events in order."""
        changed: list[DomainEventProtocol[UUID]] = [
            e for a in self._loaded.values() for e in a.collect_events()
        ]
        return changed + self._recorded


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its `assert isinstance(event, <runtime
    Protocol>)`: a structural check of every event's attributes, 5 % of a single
    acknowledgement on SQLite. Our events are the library's own event classes. An event
    that does not apply to the state before it (forged or edited in the store) is named."""
    for event in events:
        try:
            aggregate = event.mutate(aggregate)
        except Exception as error:
            raise StoredHistoryError(event.originator_id, event.originator_version) from error
    return aggregate
