"""The AS2 messages we sent and what their receipts (MDNs) said: a message awaiting its
asynchronous MDN is found here when it arrives, with the MIC we computed, and a negative or
failed receipt stays here for operations (`supplyhub edi as2`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Database

AWAITING = "awaiting"
PROCESSED = "processed"


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    partner: str
    mic: str  # base64 of the digest, as the partner's Received-Content-MIC must say
    status: str  # awaiting, processed, or the MDN's failure ("processed/Error: ...")
    detail: str
    at: str


class As2Messages:
    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS as2_messages (message_id TEXT PRIMARY KEY, "
                "partner TEXT NOT NULL, mic TEXT NOT NULL, status TEXT NOT NULL, "
                "detail TEXT NOT NULL, at TEXT NOT NULL)"
            )

    def sent(self, message_id: str, partner: str, mic: str, at: datetime) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO as2_messages (message_id, partner, mic, status, detail, at) "
                "VALUES (%s, %s, %s, %s, '', %s)",
                (message_id, partner, mic, AWAITING, at.isoformat()),
            )

    def settle(self, message_id: str, status: str, detail: str) -> None:
        """What the message's receipt said (or that none came where one had to)."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE as2_messages SET status = %s, detail = %s WHERE message_id = %s",
                (status, detail, message_id),
            )

    def find(self, message_id: str) -> SentMessage | None:
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT message_id, partner, mic, status, detail, at FROM as2_messages "
                "WHERE message_id = %s",
                (message_id,),
            )
        return SentMessage(*(str(each) for each in rows[0])) if rows else None

    def all(self) -> list[SentMessage]:
        """Every message sent, oldest first."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT message_id, partner, mic, status, detail, at FROM as2_messages "
                "ORDER BY at, message_id"
            )
        return [SentMessage(*(str(each) for each in row)) for row in rows]
