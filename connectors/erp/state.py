"""The ERP worker's own small table in the hub's store (beside the relay's positions): the
pull cursor, the last success and the last error, per ERP (`name`)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True)
class ErpState:
    name: str
    cursor: str  # the adapter's own cursor, as text (JSON for Tryton)
    last_success: str  # ISO time of the last pull + write-back round that completed
    last_error: str
    last_error_at: str


class ErpStateStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS erp_state (name TEXT PRIMARY KEY, "
                "cursor TEXT NOT NULL DEFAULT '', last_success TEXT NOT NULL DEFAULT '', "
                "last_error TEXT NOT NULL DEFAULT '', last_error_at TEXT NOT NULL DEFAULT '')"
            )

    def get(self, name: str) -> ErpState:
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT cursor, last_success, last_error, last_error_at FROM erp_state "
                "WHERE name = %s",
                (name,),
            )
        return ErpState(name, *rows[0]) if rows else ErpState(name, "", "", "", "")

    def succeeded(self, name: str, cursor: str, at: str) -> None:
        """Commit the cursor after a completed round (the error stays, for the record)."""
        self._upsert(name, "cursor = excluded.cursor, last_success = excluded.last_success",
                     (name, cursor, at, "", ""))  # fmt: skip

    def failed(self, name: str, error: str, at: str) -> None:
        self._upsert(
            name, "last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            (name, "", "", error[:500], at),
        )  # fmt: skip

    def _upsert(self, name: str, update: str, row: tuple[str, ...]) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO erp_state (name, cursor, last_success, last_error, last_error_at) "
                f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET {update}",
                row,
            )
