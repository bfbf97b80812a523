"""Dead letters and parked commands, per document, in the hub's own store.

A command that cannot be applied becomes its document's dead letter, with the reason; while
a document has one, its later commands are parked behind it in arrival order, so the order
per document holds. `release` retries (or drops) the dead letter, then applies the parked
commands in order. Kept in the store rather than in a JetStream stream: listing, retrying
and dropping per document are plain queries, and parking is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.command_messages import InboundMessage
from connectors.database import Database, Transaction


@dataclass(frozen=True)
class DeadLetter:
    document: str
    message: InboundMessage
    reason: str
    attempts: int
    failed_at: str
    parked: int = 0


@dataclass(frozen=True)
class Applied:
    status: str


@dataclass(frozen=True)
class Refused:
    reason: str
    permanent: bool


Result = Applied | Refused


@dataclass(frozen=True)
class Release:
    """What `release` did: how many commands it applied, and the reason if one failed again."""

    applied: int
    still_dead: str = ""


_COLUMNS = "subject, headers, body"


class DeadLetterStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS inbound_dead_letters (document TEXT PRIMARY KEY, "
                f"subject TEXT NOT NULL, headers TEXT NOT NULL, body {database.blob} NOT NULL, "
                "reason TEXT NOT NULL, attempts INTEGER NOT NULL, failed_at TEXT NOT NULL)"
            )
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS inbound_parked (id {database.serial_key}, "
                f"document TEXT NOT NULL, subject TEXT NOT NULL, headers TEXT NOT NULL, "
                f"body {database.blob} NOT NULL, parked_at TEXT NOT NULL)"
            )
            tx.execute(
                "CREATE INDEX IF NOT EXISTS inbound_parked_document "
                "ON inbound_parked (document, id)"
            )

    # --- used by the worker ---------------------------------------------------------------

    def dead_documents(self) -> set[str]:
        with self._db.transaction() as tx:
            return {row[0] for row in tx.execute("SELECT document FROM inbound_dead_letters")}

    def bury(
        self, document: str, message: InboundMessage, reason: str, attempts: int, at: datetime
    ) -> None:
        """Make the message its document's dead letter (or park it, if it already has one)."""
        with self._db.transaction() as tx:
            tx.execute(
                f"INSERT INTO inbound_dead_letters (document, {_COLUMNS}, reason, attempts, "
                "failed_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document) DO NOTHING",
                (document, *_row(message), reason, attempts, at.isoformat()),
            )
            if tx.rowcount == 0:
                _insert_parked(tx, document, message, at)

    def park(self, document: str, message: InboundMessage, at: datetime) -> bool:
        """Park the message if its document has a dead letter; False if it has none (any more)."""
        with self._db.transaction() as tx:
            found = tx.execute(
                "SELECT 1 FROM inbound_dead_letters WHERE document = %s" + self._db.lock("SHARE"),
                (document,),
            )
            if found:
                _insert_parked(tx, document, message, at)
            return bool(found)

    # --- used by `supplyhub dlq` ----------------------------------------------------------

    def all(self) -> list[DeadLetter]:
        with self._db.transaction() as tx:
            rows = tx.execute(
                f"SELECT d.document, d.{_COLUMNS.replace(', ', ', d.')}, d.reason, d.attempts, "
                "d.failed_at, (SELECT COUNT(*) FROM inbound_parked p WHERE p.document = d.document)"
                " FROM inbound_dead_letters d ORDER BY d.failed_at, d.document"
            )
        return [
            DeadLetter(r[0], _message(r[1:4]), r[4], int(r[5]), str(r[6]), int(r[7])) for r in rows
        ]

    def get(self, document: str) -> DeadLetter | None:
        return next((d for d in self.all() if d.document == document), None)

    def parked(self, document: str) -> list[tuple[int, InboundMessage]]:
        with self._db.transaction() as tx:
            rows = tx.execute(
                f"SELECT id, {_COLUMNS} FROM inbound_parked WHERE document = %s ORDER BY id",
                (document,),
            )
        return [(int(r[0]), _message(r[1:4])) for r in rows]

    def unpark(self, parked_id: int) -> None:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM inbound_parked WHERE id = %s", (parked_id,))

    def note_failure(self, document: str, reason: str, at: datetime) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE inbound_dead_letters SET reason = %s, attempts = attempts + 1, "
                "failed_at = %s WHERE document = %s",
                (reason, at.isoformat(), document),
            )

    def rebury(self, document: str, parked_id: int, reason: str, at: datetime) -> None:
        """A parked command failed: it becomes the dead letter, the ones after it stay parked."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE inbound_dead_letters SET (subject, headers, body, reason, attempts, "
                "failed_at) = (SELECT subject, headers, body, %s, 1, %s FROM inbound_parked "
                "WHERE id = %s) WHERE document = %s",
                (reason, at.isoformat(), parked_id, document),
            )
            tx.execute("DELETE FROM inbound_parked WHERE id = %s", (parked_id,))

    def resolve(self, document: str) -> bool:
        """Remove the dead letter unless commands were parked meanwhile (then: apply those)."""
        with self._db.transaction() as tx:
            tx.execute(
                "SELECT 1 FROM inbound_dead_letters WHERE document = %s" + self._db.lock("UPDATE"),
                (document,),
            )
            if tx.execute("SELECT 1 FROM inbound_parked WHERE document = %s", (document,)):
                return False
            tx.execute("DELETE FROM inbound_dead_letters WHERE document = %s", (document,))
            return True


def release(
    store: DeadLetterStore,
    document: str,
    apply: Callable[[InboundMessage], Result],
    now: Callable[[], datetime],
    *,
    retry: bool,
) -> Release:
    """Retry (or, with `retry=False`, drop) a document's dead letter, then apply what was
    parked behind it, in order. Stops at the first command that fails again: it becomes the
    dead letter and the rest stay parked."""
    dead = store.get(document)
    if dead is None:
        raise KeyError(document)
    applied = 0
    if retry:
        result = apply(dead.message)
        if isinstance(result, Refused):
            store.note_failure(document, result.reason, now())
            return Release(applied, result.reason)
        applied += 1
    while True:
        for parked_id, message in store.parked(document):
            result = apply(message)
            if isinstance(result, Refused):
                store.rebury(document, parked_id, result.reason, now())
                return Release(applied, result.reason)
            store.unpark(parked_id)
            applied += 1
        if store.resolve(document):
            return Release(applied)


def _row(message: InboundMessage) -> tuple[str, str, bytes]:
    return message.subject, json.dumps(message.headers, sort_keys=True), message.body


def _message(row: tuple[Any, ...]) -> InboundMessage:
    subject, headers, body = row
    return InboundMessage(subject, json.loads(headers), bytes(body))


def _insert_parked(tx: Transaction, document: str, message: InboundMessage, at: datetime) -> None:
    tx.execute(
        f"INSERT INTO inbound_parked (document, {_COLUMNS}, parked_at) VALUES (%s, %s, %s, %s, %s)",
        (document, *_row(message), at.isoformat()),
    )
