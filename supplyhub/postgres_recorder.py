"""The PostgreSQL event recorder, tuned for bulk appends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

# From this many events an append goes by COPY: below it the statement's round trips are
# cheaper than setting up a copy; above it COPY's per-row cost is far lower.
COPY_FROM = 64


class BinaryInsertRecorder(PostgresApplicationRecorder):
    """Appends events as the library does (same table, same EXCLUSIVE lock, so notification
    ids still commit in order, same NOTIFY), only cheaper to send.

    The library's INSERT ... FROM unnest(%s::stored_event[]) lets psycopg pick the text format
    for the composite array, which escapes every event's bytea state with a regular
    expression: ~100 us an event, most of a bulk import. Small appends send the same
    statement in binary (%b); large ones use COPY ... FROM STDIN (FORMAT BINARY). Neither
    asks for the new notification ids back: nothing here uses them (no process applications).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = _binary_placeholders(self.insert_events_statement)
        self._copy_statement = SQL(
            "COPY {schema}.{table} (originator_id, originator_version, topic, state) "
            "FROM STDIN (FORMAT BINARY)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) < COPY_FROM:
            inserted: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return inserted
        with (
            self.datastore.get_connection() as conn,  # maps psycopg errors to the library's
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            self._notify_channel(curs)
            with curs.copy(self._copy_statement) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for event in stored_events:
                    copy.write_row(
                        (event.originator_id, event.originator_version, event.topic, event.state)
                    )
        return None


def _binary_placeholders(statement: Composed) -> Composed:
    parts = [
        SQL(part.as_string(None).replace("%s::", "%b::")) if isinstance(part, SQL) else part
        for part in statement
    ]
    return Composed(parts)
