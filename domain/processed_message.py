"""The idempotency record: one per message id within its caller's namespace, saved in the same
transaction as its effects."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.commands import Command
from domain.construction import LIBRARY, Construction
from domain.errors import IdempotencyKeyReusedError
from domain.fingerprint import same_content
from domain.identity import document_id
from domain.outcome import Outcome
from domain.provenance import Provenance

_T = "supplyhub:ProcessedMessage"


class ProcessedMessage(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(message_id: str, provenance: Provenance) -> UUID:
        """The record of one key in its caller's namespace (the length keeps the pair
        unambiguous)."""
        namespace = provenance.namespace
        return document_id("scoped-message", f"{len(namespace)}:{namespace}:{message_id}")

    @staticmethod
    def legacy_id(message_id: str) -> UUID:
        """Where records written before keys were scoped live: one pool for every caller."""
        return document_id("message", message_id)

    class Recorded(Created):
        TOPIC = f"{_T}.Recorded"
        message_id: str
        command: str
        fingerprint: str
        outcome: Outcome
        provenance: Provenance

    @event(Recorded)
    def __init__(
        self,
        message_id: str,
        command: str,
        fingerprint: str,
        outcome: Outcome,
        provenance: Provenance,
    ) -> None:
        self.message_id = message_id
        self.command = command
        self.fingerprint = fingerprint
        self.outcome = outcome
        self.namespace = provenance.namespace

    @classmethod
    def record(
        cls,
        message_id: str,
        command: str,
        fingerprint: str,
        outcome: Outcome,
        provenance: Provenance,
        construction: Construction = LIBRARY,
    ) -> ProcessedMessage.Recorded:
        """The record's one event, without building the aggregate: a bulk import writes one
        per command and never reads it back in the same unit of work."""
        return construction.first_event(
            cls,
            cls.Recorded,
            cls.create_id(message_id, provenance),
            message_id=message_id,
            command=command,
            fingerprint=fingerprint,
            outcome=outcome,
            provenance=provenance,
        )

    def replay(self, command: Command) -> Outcome:
        """The first outcome again; a different command under the same id is refused. Only
        the caller's own namespace reaches here, so the message names only what it sent."""
        if type(command).__name__ != self.command or not same_content(self.fingerprint, command):
            raise IdempotencyKeyReusedError(
                f"idempotency key {self.message_id!r} was already used for a different "
                f"{self.command}"
            )
        return replace(self.outcome, replayed=True)
