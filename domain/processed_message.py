"""The idempotency record: one per message id, saved in the same transaction as its effects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IdempotencyKeyReusedError
from domain.identity import document_id
from domain.outcome import Outcome
from domain.provenance import Provenance

_T = "supplyhub:ProcessedMessage"


class ProcessedMessage(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(message_id: str) -> UUID:
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

    @classmethod
    def record(
        cls,
        message_id: str,
        command: str,
        fingerprint: str,
        outcome: Outcome,
        provenance: Provenance,
    ) -> ProcessedMessage.Recorded:
        """The record's one event, without building the aggregate: a bulk import writes one
        per command and never reads it back in the same unit of work."""
        fields: dict[str, Any] = {
            "originator_id": cls.create_id(message_id),
            "originator_version": 1,
            "timestamp": cls.Recorded.create_timestamp(),
            "originator_topic": _T,
            "message_id": message_id,
            "command": command,
            "fingerprint": fingerprint,
            "outcome": outcome,
            "provenance": provenance,
        }
        # (mypy sees only the library's base fields on the event class, hence the mapping)
        return cls.Recorded(**fields)

    def replay(self, command: str, fingerprint: str) -> Outcome:
        """The first outcome again; a different command under the same id is refused."""
        if (command, fingerprint) != (self.command, self.fingerprint):
            raise IdempotencyKeyReusedError(
                f"message id {self.message_id!r} was already used for a different {self.command}"
            )
        return replace(self.outcome, replayed=True)
