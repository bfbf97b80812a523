"""The application service: every command goes through `handle`, exactly once per message id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError

from domain.commands import Command
from domain.construction import LIBRARY, Construction
from domain.errors import ConflictError, DomainError, ValidationError
from domain.fingerprint import fingerprint
from domain.limit_check import violations
from domain.outcome import Outcome
from domain.processed_message import ProcessedMessage
from domain.provenance import Provenance
from domain.tolerance import DEFAULT_TOLERANCE, TolerancePolicy
from domain.unit_of_work import UnitOfWork
from domain.use_cases import HANDLERS, Context


@dataclass(frozen=True)
class BatchItem:
    command: Command
    provenance: Provenance


@dataclass(frozen=True)
class PreparedBatch:
    """A batch decided but not yet written: its pending events and its results."""

    uow: UnitOfWork
    results: tuple[Outcome, ...]
    events: tuple[DomainEventProtocol[UUID], ...]

    def reads(self) -> frozenset[UUID]:
        return self.uow.read()

    def writes(self) -> frozenset[UUID]:
        return frozenset(event.originator_id for event in self.events)


class SupplyHub(Application[UUID]):
    """Applies canonical commands to the aggregates.

    The persistence comes from `env`, the library's way: the store, the recorder and the
    transcoder (how events are stored) are named there by the composition root
    (`storage.database.event_store_env`); the domain knows no stored format. New documents
    are built through `construction`, the library's constructor unless the composition root
    passes a faster one (`storage.aggregates.FAST`).
    """

    # The library names the stored tables and the environment prefix after `name`
    # (`hub_events`, `HUB_*`): it is the store's name, not the class's, and stays "Hub" so
    # that every existing store still opens.
    name = "Hub"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        tolerance: TolerancePolicy = DEFAULT_TOLERANCE,
        construction: Construction = LIBRARY,
    ) -> None:
        super().__init__(env)
        self.default_tolerance = tolerance
        self.construction = construction
        self._holds_unscoped_keys: bool | None = None  # decided on first use, see below

    # --- commands -------------------------------------------------------------------------

    def handle(self, command: Command, provenance: Provenance) -> Outcome:
        """Apply one command; a repeated message id returns the first outcome, writing nothing.

        A key is the caller's own (`Provenance.namespace`). In a store that holds records
        written before keys were scoped, such a record is looked up first, so a retry of such
        a message is still a replay; a batch leaves that read out and relies on refusals and
        the store's constraint instead."""
        if (legacy := self._legacy_record(provenance)) is not None:
            return legacy.replay(command)
        uow = UnitOfWork(self.repository, construction=self.construction)
        try:
            result = self._apply(uow, command, provenance)
        except DomainError:
            if (first := self._first_outcome(command, provenance)) is not None:
                return first
            raise
        try:
            self._store(uow)
        except IntegrityError:
            if (first := self._first_outcome(command, provenance)) is not None:
                return first
            raise ConflictError(
                f"{result.document or 'the document'} changed concurrently; retry the command"
            ) from None
        return result

    def handle_batch(self, items: Sequence[BatchItem]) -> list[Outcome | DomainError]:
        """Apply many commands in one transaction (bulk ERP imports).

        Creation is optimistic: existence is left to the store's unique constraint. If any
        command fails or the save conflicts, the batch is redone one command at a time, so
        the result per item is exactly what `handle` would have given.
        """
        prepared = self.prepare_batch(items)
        if prepared is not None and self.commit_batch(prepared):
            return list(prepared.results)
        return self.handle_one_by_one(items)

    def prepare_batch(self, items: Sequence[BatchItem]) -> PreparedBatch | None:
        """The first half of `handle_batch`: decide every command, write nothing.
        None when a command is refused (the batch must go one by one)."""
        uow = UnitOfWork(self.repository, optimistic=True, construction=self.construction)
        try:
            results = tuple(self._apply(uow, item.command, item.provenance) for item in items)
        except DomainError:
            return None
        return PreparedBatch(uow, results, tuple(uow.pending_events()))

    def commit_batch(self, prepared: PreparedBatch) -> bool:
        """The second half: write the batch in one transaction; False when it conflicts
        (nothing written; the batch must go one by one)."""
        try:
            self.events.put(prepared.events)
        except IntegrityError:
            return False
        return True

    def handle_one_by_one(self, items: Sequence[BatchItem]) -> list[Outcome | DomainError]:
        return [self._handle_one(item) for item in items]

    def handle_all(self, items: Sequence[BatchItem]) -> list[Outcome] | None:
        """Apply many commands in one transaction, all or none: None (nothing written) if any
        is refused or the save conflicts, so an ordered consumer can go one by one itself."""
        prepared = self.prepare_batch(items)
        if prepared is None or not self.commit_batch(prepared):
            return None
        return list(prepared.results)

    def _handle_one(self, item: BatchItem) -> Outcome | DomainError:
        try:
            return self.handle(item.command, item.provenance)
        except DomainError as error:
            return error

    def _apply(self, uow: UnitOfWork, command: Command, provenance: Provenance) -> Outcome:
        if broken := violations(command):  # every edge's input meets the same limits, once
            raise ValidationError.of([(v.field, v.rule) for v in broken])
        handler = HANDLERS[type(command)]
        result = handler(Context(uow, provenance, self.default_tolerance), command)
        uow.record(
            ProcessedMessage.record(
                provenance.message_id,
                type(command).__name__,
                fingerprint(command),
                result,
                provenance,
                self.construction,
            )
        )
        return result

    def _store(self, uow: UnitOfWork) -> None:
        """All pending events of the unit of work in one transaction.

        `EventStore.put` directly: `Application.save` checks each object against runtime
        protocols, which cost a third of a bulk import; we use no snapshots or process
        applications that its extra steps serve.
        """
        self.events.put(uow.pending_events())

    def _first_outcome(self, command: Command, provenance: Provenance) -> Outcome | None:
        """The outcome of this key's first use by this caller, if it was used before."""
        scoped = ProcessedMessage.create_id(provenance.message_id, provenance)
        record = self._processed(scoped)
        if record is None:
            record = self._legacy_record(provenance)
        return None if record is None else record.replay(command)

    def _legacy_record(self, provenance: Provenance) -> ProcessedMessage | None:
        """An unscoped record of this key, upcast into the caller's namespace when its stored
        provenance belongs there; another caller's is ignored, as if it did not exist."""
        if not self.holds_unscoped_keys():
            return None
        legacy_id = ProcessedMessage.legacy_id(provenance.message_id)
        if not self.recorder.select_events(legacy_id, limit=1):  # no decoding when absent
            return None
        record = self._processed(legacy_id)
        if record is None or record.namespace != provenance.namespace:
            return None
        return record

    def holds_unscoped_keys(self) -> bool:
        """Whether the log holds idempotency records from before keys were scoped. The first
        record in the log tells: no unscoped record has been written since, so a store begun
        with scoped keys never pays the extra read per command (a fifth of a single
        acknowledgement on PostgreSQL). Decided once per process; an empty log has none."""
        if self._holds_unscoped_keys is None:
            first = self.recorder.select_notifications(
                start=None, limit=1, topics=(ProcessedMessage.Recorded.TOPIC,)
            )
            if first:
                record = self.mapper.to_domain_event(first[0])
                legacy = ProcessedMessage.legacy_id(getattr(record, "message_id", ""))
                self._holds_unscoped_keys = record.originator_id == legacy
            else:
                self._holds_unscoped_keys = False
        return self._holds_unscoped_keys

    def _processed(self, record_id: UUID) -> ProcessedMessage | None:
        try:
            record: object = self.repository.get(record_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, ProcessedMessage)
        return record

    # --- queries for auditors -------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> list[Aggregate.Event]:
        """Every event of one document, oldest first."""
        return cast("list[Aggregate.Event]", list(self.events.get(aggregate_id)))
