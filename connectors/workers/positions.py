"""A tracked subscriber's position in the event log (the NATS relay, the ERP write-backs, the
partner gateway's outbound side), kept in the hub's own store."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eventsourcing.persistence import ApplicationRecorder, Notification

from storage.database import Database


class PositionStore:
    """One row per subscriber name: the last log position it has handed on (for the relay, what
    JetStream acknowledged). The table keeps its first name, `backbone_positions`: it is
    stored data."""

    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS backbone_positions "
                "(name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )

    def get(self, name: str) -> int:
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT position FROM backbone_positions WHERE name = %s", (name,))
        return int(rows[0][0]) if rows else 0

    def all(self) -> dict[str, int]:
        """Every subscriber's position, by name (the console's technical panel)."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT name, position FROM backbone_positions ORDER BY name")
        return {str(name): int(position) for name, position in rows}

    def set(self, name: str, position: int) -> None:
        """Commit a position; called only after every event up to it was acknowledged."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO backbone_positions (name, position) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (name, position),
            )


def follow(
    recorder: ApplicationRecorder, positions: PositionStore, name: str, topics: Sequence[str],
    batch_size: int, handle: Callable[[Notification], None],
) -> int:  # fmt: skip
    """The next batch of ``topics`` after subscriber ``name``'s position, each event handled,
    then the position moved past it (an event that raises stays next); how many it read."""
    after = positions.get(name)
    batch = recorder.select_notifications(after + 1, batch_size, topics=topics)
    for notification in batch:
        handle(notification)
        positions.set(name, notification.id)
    return len(batch)


def behind(
    recorder: ApplicationRecorder, positions: PositionStore, name: str, topics: Sequence[str],
    limit: int,
) -> int:  # fmt: skip
    """How many events of ``topics`` subscriber ``name`` still has to read (up to ``limit``)."""
    after = positions.get(name)
    return len(recorder.select_notifications(after + 1, limit, topics=topics))
