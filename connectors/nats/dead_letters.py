"""Held commands, dead letters and parked commands, per document, in the hub's own store.

A command that arrives ahead of its predecessor (revision 6 before 5) is *held* until the
predecessor is applied, or until the hold wait passes: then it becomes the dead letter. A
command that cannot be applied becomes its document's dead letter, with the reason; while
a document has one, its later commands are parked behind it in arrival order, so the order
per document holds. `release` applies a document's dead letter (or drops it), its parked and
its held commands in their order. Kept in the store rather than in a JetStream stream:
listing, retrying and dropping per document are plain queries, and parking is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.nats.command_messages import InboundMessage
from storage.database import Database, Transaction


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
    # Refused only for coming early: what it waits for, e.g. "revision 5 of po:42".
    waits_for: str = ""


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
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS inbound_held (id {database.serial_key}, "
                f"document TEXT NOT NULL, subject TEXT NOT NULL, headers TEXT NOT NULL, "
                f"body {database.blob} NOT NULL, waits_for TEXT NOT NULL, "
                "reason TEXT NOT NULL, held_at TEXT NOT NULL)"
            )
            tx.execute(
                "CREATE INDEX IF NOT EXISTS inbound_held_document ON inbound_held (document, id)"
            )
            tx.execute(
                "CREATE TABLE IF NOT EXISTS inbound_dead_letter_actions "
                f"(id {database.serial_key}, document TEXT NOT NULL, action TEXT NOT NULL, "
                "actor TEXT NOT NULL, "
                "reason TEXT NOT NULL, applied INTEGER NOT NULL, still_dead TEXT NOT NULL, "
                "at TEXT NOT NULL)"
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

    def held_documents(self) -> dict[str, str]:
        """Documents with held commands, and when the oldest of them was held."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT document, MIN(held_at) FROM inbound_held GROUP BY document")
        return {str(r[0]): str(r[1]) for r in rows}

    def hold(self, document: str, message: InboundMessage, refused: Refused, at: datetime) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                f"INSERT INTO inbound_held (document, {_COLUMNS}, waits_for, reason, held_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (document, *_row(message), refused.waits_for, refused.reason, at.isoformat()),
            )

    def held(self, document: str) -> list[Held]:
        with self._db.transaction() as tx:
            rows = tx.execute(
                f"SELECT id, {_COLUMNS}, waits_for, reason, held_at FROM inbound_held "
                "WHERE document = %s ORDER BY id",
                (document,),
            )
        return [Held(int(r[0]), _message(r[1:4]), str(r[4]), str(r[5]), str(r[6])) for r in rows]

    def unhold(self, held_id: int) -> None:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM inbound_held WHERE id = %s", (held_id,))

    def give_up_waiting(self, document: str, reason: str, at: datetime) -> None:
        """The hold wait passed: the first held command becomes the dead letter (or is parked
        behind the one the document has) and the others are parked behind it, in order."""
        held = self.held(document)
        if not held:
            return
        with self._db.transaction() as tx:
            tx.execute(
                f"INSERT INTO inbound_dead_letters (document, {_COLUMNS}, reason, attempts, "
                "failed_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document) DO NOTHING",
                (document, *_row(held[0].message), reason, 1, at.isoformat()),
            )
            rest = held[1:] if tx.rowcount else held
            for item in rest:
                _insert_parked(tx, document, item.message, at)
            tx.execute(
                "DELETE FROM inbound_held WHERE document = %s AND id <= %s",
                (document, held[-1].id),
            )

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

    def settle(
        self,
        document: str,
        seen: Seen,
        remaining: Sequence[InboundMessage],
        reason: str,
        attempts: int,
        at: datetime,
    ) -> bool:
        """After a release: replace what was `seen` of the document (its dead letter, parked
        and held commands) by `remaining`, the first as the dead letter with `reason`, the
        rest parked in order. False, changing nothing, if commands were parked or held
        meanwhile: the caller applies those too and settles again."""
        with self._db.transaction() as tx:
            tx.execute(
                "SELECT 1 FROM inbound_dead_letters WHERE document = %s" + self._db.lock("UPDATE"),
                (document,),
            )
            parked = {int(r[0]) for r in tx.execute(
                "SELECT id FROM inbound_parked WHERE document = %s", (document,))}  # fmt: skip
            held = {int(r[0]) for r in tx.execute(
                "SELECT id FROM inbound_held WHERE document = %s", (document,))}  # fmt: skip
            if parked - seen.parked or held - seen.held:
                return False
            tx.execute("DELETE FROM inbound_dead_letters WHERE document = %s", (document,))
            tx.execute("DELETE FROM inbound_parked WHERE document = %s", (document,))
            tx.execute("DELETE FROM inbound_held WHERE document = %s", (document,))
            if remaining:
                tx.execute(
                    f"INSERT INTO inbound_dead_letters (document, {_COLUMNS}, reason, attempts, "
                    "failed_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (document, *_row(remaining[0]), reason, attempts, at.isoformat()),
                )
                for message in remaining[1:]:
                    _insert_parked(tx, document, message, at)
            return True

    # --- who released what, and why ------------------------------------------------------

    def record(self, action: Action) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO inbound_dead_letter_actions (document, action, actor, reason, "
                "applied, still_dead, at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (action.document, action.action, action.actor, action.reason, action.applied,
                 action.still_dead, action.at),
            )  # fmt: skip

    def actions(self, limit: int = 100) -> list[Action]:
        """The latest retries and drops, newest first."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT document, action, actor, reason, applied, still_dead, at "
                "FROM inbound_dead_letter_actions ORDER BY id DESC LIMIT %s",
                (limit,),
            )
        return [Action(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5]), str(r[6]))
                for r in rows]  # fmt: skip


@dataclass(frozen=True)
class Action:
    """One retry or drop of a document's dead letter: who asked, why, and what it did."""

    document: str
    action: str  # retry | drop
    actor: str
    reason: str
    applied: int
    still_dead: str
    at: str


@dataclass(frozen=True)
class Held:
    id: int
    message: InboundMessage
    waits_for: str
    reason: str
    held_at: str


@dataclass
class Seen:
    """The parked and held rows a release has taken in hand."""

    parked: set[int] = field(default_factory=set)
    held: set[int] = field(default_factory=set)


def release(
    store: DeadLetterStore,
    document: str,
    apply: Callable[[InboundMessage], Result],
    now: Callable[[], datetime],
    *,
    retry: bool,
) -> Release:
    """Apply a document's dead letter (or, with `retry=False`, drop it), then its parked and
    held commands, in their order. A command refused only for coming early (its predecessor
    is further down the list) waits for the next pass, so revision 6 dead-lettered ahead of
    a parked revision 5 applies after it. Stops at the first command that fails for another
    reason: it becomes the dead letter and the rest stay parked behind it."""
    dead = store.get(document)
    seen = Seen()
    pending: list[InboundMessage] = [dead.message] if dead is not None and retry else []
    if dead is None and not store.held(document):
        raise KeyError(document)
    applied = 0
    while True:
        for parked_id, message in store.parked(document):
            if parked_id not in seen.parked:
                seen.parked.add(parked_id)
                pending.append(message)
        for held in store.held(document):
            if held.id not in seen.held:
                seen.held.add(held.id)
                pending.append(held.message)
        failed, done = _apply_in_order(pending, apply)
        applied += done
        reason, attempts = "", 1
        if failed is not None:
            pending.remove(failed[0])
            pending.insert(0, failed[0])
            reason = failed[1].reason
            if dead is not None and failed[0] == dead.message:
                attempts = dead.attempts + 1
        if store.settle(document, seen, pending, reason, attempts, now()):
            return Release(applied, reason)


def _apply_in_order(
    pending: list[InboundMessage], apply: Callable[[InboundMessage], Result]
) -> tuple[tuple[InboundMessage, Refused] | None, int]:
    """Apply what can be applied, in passes, removing it from `pending`; the command that
    failed (for a reason other than coming early, or the first still early), if any."""
    applied = 0
    while pending:
        early: tuple[InboundMessage, Refused] | None = None
        progress = False
        for message in list(pending):
            result = apply(message)
            if isinstance(result, Applied):
                pending.remove(message)
                applied += 1
                progress = True
            elif not result.waits_for:
                return (message, result), applied
            elif early is None:
                early = (message, result)
        if not progress:
            return early, applied
    return None, applied


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
