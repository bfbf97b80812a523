"""The console's dead-letter desk on the hub's store: lists what `supplyhub dlq list` lists
and releases through `release_dead_letter`, the one path the CLI takes too."""

from __future__ import annotations

import json
from collections.abc import Callable

from api.dead_letters import DeadLetterAction, DeadLetters, DeadLetterView
from connectors.nats.dead_letters import Action, DeadLetter, DeadLetterStore
from domain.application import SupplyHub
from domain.errors import NotFoundError
from supplyhub.settings import Settings
from supplyhub.workers import dead_letter_store, release_dead_letter


class StoredDeadLetterDesk:
    """Opens the store on first use: an app on a read-only store still starts (its
    /readyz says why), and a console call then fails as any other store call does."""

    def __init__(self, open_store: Callable[[], DeadLetterStore], hub: SupplyHub) -> None:
        self._open_store = open_store
        self._store: DeadLetterStore | None = None
        self.hub = hub

    @classmethod
    def open(cls, settings: Settings, hub: SupplyHub) -> StoredDeadLetterDesk:
        return cls(lambda: dead_letter_store(settings), hub)

    @property
    def store(self) -> DeadLetterStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def list(self) -> DeadLetters:
        letters = [self._view(d) for d in self.store.all()]
        dead = {d.document for d in letters}
        for document, since in self.store.held_documents().items():
            if document in dead:
                continue
            held = self.store.held(document)
            first = held[0].message
            letters.append(DeadLetterView(
                document, _purchase_order(document, first.body), first.subject,
                first.message_id, f"held: waits for {held[0].waits_for}", 0, since, 0, len(held),
            ))  # fmt: skip
        return DeadLetters(letters, [_action(a) for a in self.store.actions()])

    def _view(self, dead: DeadLetter) -> DeadLetterView:
        message = dead.message
        return DeadLetterView(
            dead.document, _purchase_order(dead.document, message.body), message.subject,
            message.message_id, dead.reason, dead.attempts, dead.failed_at, dead.parked,
            len(self.store.held(dead.document)),
        )  # fmt: skip

    def release(self, document: str, *, retry: bool, actor: str, reason: str) -> DeadLetterAction:
        try:
            done = release_dead_letter(
                self.store, self.hub, document, retry=retry, actor=actor, reason=reason
            )
        except KeyError:
            raise NotFoundError("dead letter", document) from None
        return _action(done)


def _purchase_order(document: str, body: bytes) -> str:
    """The order a document holds up: its own number, or the one its command names (a
    ship notice's first order)."""
    if document.startswith("po:"):
        return document.removeprefix("po:")
    try:
        fields = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(fields, dict):
        return ""
    orders = fields.get("orders")  # a ship notice names its orders in its `orders`
    if "po_number" not in fields and isinstance(orders, list) and orders:
        fields = orders[0] if isinstance(orders[0], dict) else {}
    number = fields.get("po_number", "")
    return number if isinstance(number, str) else ""


def _action(done: Action) -> DeadLetterAction:
    return DeadLetterAction(
        done.document, done.action, done.actor, done.reason, done.applied, done.still_dead,
        done.at,
    )  # fmt: skip
