"""Every alert the worker sent or failed to send, one row per alert id, in the hub's store:
the record `GET /api/v1/alerts`, the console and `supplyhub alerts list` read, and what keeps
an alert from being sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storage.database import Database

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class Outgoing:
    """What is sent, kept with the alert's row: a resend after a crash is the same."""

    alert_id: str
    subject: str
    body: bytes  # the alert as JSON


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    rule: str
    case_key: str
    trigger: str
    destination: str  # webhook | email
    target: str  # the URL or the addresses
    status: str  # pending (being sent, or cut off by a crash: sent again) | sent | failed
    attempts: int
    detail: str  # the receiver's last answer or error
    created_at: str
    updated_at: str


_COLUMNS: Final = (
    "alert_id, rule, case_key, trigger_name, destination, target, status, attempts, detail, "
    "created_at, updated_at"
)


class DeliveryStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS alert_deliveries (alert_id TEXT PRIMARY KEY, "
                "rule TEXT NOT NULL, case_key TEXT NOT NULL, trigger_name TEXT NOT NULL, "
                "destination TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL, "
                "attempts INTEGER NOT NULL, detail TEXT NOT NULL, created_at TEXT NOT NULL, "
                "updated_at TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL)"
            )
            tx.execute(
                "CREATE INDEX IF NOT EXISTS alert_deliveries_created "
                "ON alert_deliveries (created_at)"
            )

    def status(self, alert_id: str) -> str | None:
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT status FROM alert_deliveries WHERE alert_id = %s", (alert_id,)
            )
        return str(rows[0][0]) if rows else None

    def begin(self, delivery: Delivery, outgoing: Outgoing) -> None:
        """Record the alert as being sent, with what is sent, before the first try."""
        with self._db.transaction() as tx:
            tx.execute(
                f"INSERT INTO alert_deliveries ({_COLUMNS}, subject, body) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (alert_id) DO NOTHING",
                (delivery.alert_id, delivery.rule, delivery.case_key, delivery.trigger,
                 delivery.destination, delivery.target, PENDING, 0, "", delivery.created_at,
                 delivery.created_at, outgoing.subject, outgoing.body.decode()),
            )  # fmt: skip

    def pending(self) -> list[tuple[Delivery, Outgoing]]:
        """The alerts a crash cut off (still `pending`), oldest first, with what to send."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                f"SELECT {_COLUMNS}, subject, body FROM alert_deliveries WHERE status = %s "
                "ORDER BY created_at, alert_id",
                (PENDING,),
            )
        return [
            (_delivery(row[:11]), Outgoing(str(row[0]), str(row[11]), str(row[12]).encode()))
            for row in rows
        ]

    def finish(self, alert_id: str, status: str, attempts: int, detail: str, at: str) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE alert_deliveries SET status = %s, attempts = attempts + %s, detail = %s, "
                "updated_at = %s WHERE alert_id = %s",
                (status, attempts, detail[:500], at, alert_id),
            )

    def recent(self, limit: int = 100) -> list[Delivery]:
        """The latest alerts, newest first."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                f"SELECT {_COLUMNS} FROM alert_deliveries "
                "ORDER BY created_at DESC, alert_id LIMIT %s",
                (limit,),
            )
        return [_delivery(row) for row in rows]


def _delivery(row: tuple[object, ...]) -> Delivery:
    alert, rule, case, trigger, destination, target, status, attempts, detail, at, upd = row
    return Delivery(
        str(alert), str(rule), str(case), str(trigger), str(destination), str(target),
        str(status), int(str(attempts)), str(detail), str(at), str(upd),
    )  # fmt: skip
