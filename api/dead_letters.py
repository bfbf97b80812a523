"""The console's port to the inbound dead letters: what it lists, and the retry and drop it
asks for. The composition root implements it with the same release the `supplyhub dlq`
commands run (supplyhub/dead_letter_desk.py); the API never touches the store itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.errors import NotFoundError


@dataclass(frozen=True)
class DeadLetterView:
    """A document's dead letter, or only its held commands (then `reason` says what for)."""

    document: str  # e.g. po:4500000042, asn:SUP-ACME:ASN-1
    purchase_order: str  # the order it holds up, for the trace; "" when none is named
    subject: str
    message_id: str
    reason: str
    attempts: int
    failed_at: str
    parked: int  # later commands of the document waiting behind it
    held: int  # commands that came early, waiting for their predecessor


@dataclass(frozen=True)
class DeadLetterAction:
    """A retry or drop: who asked, why, and what it did."""

    document: str
    action: str  # retry | drop
    actor: str
    reason: str
    applied: int
    still_dead: str  # why it failed again; "" when the document is clear
    at: str


@dataclass(frozen=True)
class DeadLetters:
    letters: list[DeadLetterView]
    actions: list[DeadLetterAction]  # the latest, newest first


class DeadLetterDesk(Protocol):
    def list(self) -> DeadLetters: ...

    def release(self, document: str, *, retry: bool, actor: str, reason: str) -> DeadLetterAction:
        """Retry (or drop) the document's dead letter and apply what waits behind it;
        NotFoundError if the document has nothing dead or held."""


class NoDeadLetters:
    """An app without an inbound worker's store (tests of the API alone)."""

    def list(self) -> DeadLetters:
        return DeadLetters([], [])

    def release(self, document: str, *, retry: bool, actor: str, reason: str) -> DeadLetterAction:
        raise NotFoundError("dead letter", document)
