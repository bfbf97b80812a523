"""Who sent each kept payload to whom, and when: an index beside the payload store
(`edi_payload_index`, one row per reference, in the hub's database whichever store keeps the
bytes), so a partner's traffic is one grouped query, not a walk over every payload.

The store notes each payload it is given; which parties a payload names is the channels'
business (X12 ISA, EDIFACT UNB, the cXML From and To), so the reader is handed in by the
composition root; a payload it cannot place (an acknowledgement, a REST body) is not indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.database import Database, StoreUnavailableError, Transaction

Parties = Callable[[bytes], "tuple[str, str] | None"]  # (sender id, receiver id) of a head
HEAD = 4096  # the bytes of a payload the parties are read from


@dataclass(frozen=True)
class Traffic:
    count: int  # payloads kept from the sender to the receiver
    last: str  # when the last of them was kept (ISO 8601), "" when not known


class PayloadIndex:
    def __init__(
        self,
        database: Database,
        parties: Parties,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = database
        self._parties = parties
        self._clock = clock
        self._ready = False
        # Now, under the caller's start-up DDL lock, when the store takes writes; on a
        # read-only store the API still starts (readyz says why) and it is made on first use.
        with suppress(StoreUnavailableError):
            self._create()

    def _create(self) -> None:
        with self._db.transaction() as tx:
            self._create_in(tx)

    def _create_in(self, tx: Transaction) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS edi_payload_index (ref TEXT PRIMARY KEY, "
            "sender TEXT NOT NULL, receiver TEXT NOT NULL, kept_at TEXT NOT NULL)"
        )
        tx.execute(
            "CREATE INDEX IF NOT EXISTS edi_payload_index_parties "
            "ON edi_payload_index (sender, receiver, kept_at)"
        )
        self._ready = True

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        if not self._ready:
            self._create()
        with self._db.transaction() as tx:
            yield tx

    def note(self, ref: str, head: bytes, kept_at: str = "") -> None:
        """Index the payload kept under ``ref`` (its first bytes are enough); once: the same
        bytes kept again keep their first row."""
        with self._transaction() as tx:
            self.note_in(tx, ref, head, kept_at)

    def note_in(self, tx: Transaction, ref: str, head: bytes, kept_at: str = "") -> None:
        """`note` inside the caller's transaction (the payload's own, when the database keeps
        the bytes too: one commit for both)."""
        found = self._parties(head[:HEAD])
        if found is None:
            return
        if not self._ready:
            self._create_in(tx)
        tx.execute(
            "INSERT INTO edi_payload_index (ref, sender, receiver, kept_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (ref) DO NOTHING",
            (ref, *found, kept_at or self._clock().isoformat()),
        )

    def traffic(self) -> dict[tuple[str, str], Traffic]:
        """Per (sender, receiver): how many payloads and when the last was kept."""
        with self._transaction() as tx:
            rows = tx.execute(
                "SELECT sender, receiver, COUNT(*), MAX(kept_at) FROM edi_payload_index "
                "GROUP BY sender, receiver"
            )
        return {(str(s), str(r)): Traffic(int(n), str(last or "")) for s, r, n, last in rows}

    def is_empty(self) -> bool:
        with self._transaction() as tx:
            return not tx.execute("SELECT 1 FROM edi_payload_index LIMIT 1")

    def backfill(self, kept: Iterable[tuple[str, bytes, str]]) -> int:
        """Index payloads kept before the index was: (ref, head, kept_at) each; how many."""
        noted = 0
        for ref, head, at in kept:
            self.note(ref, head, at)
            noted += 1
        return noted
