"""The trading partners' log beside the hub's: its own table in the same SQLite file.

The library names a PostgreSQL table after its application (``partners_events``) but every
SQLite one ``stored_events``; this recorder gives the partners' register its own SQLite table,
so the hub's log, its relay and its projections never see a profile change.
"""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

TABLE = "partners_events"


class PartnersSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = TABLE) -> None:
        super().__init__(datastore, events_table_name)


def partner_log_env(env: dict[str, str]) -> dict[str, str]:
    """The hub's store environment, for the partners' register: its own table on SQLite, a
    small pool on PostgreSQL (profiles change seldom and are read from memory)."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
        return {**env, "APPLICATION_RECORDER_TOPIC": f"{__name__}:PartnersSQLiteRecorder"}
    return {**env, "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2"}
