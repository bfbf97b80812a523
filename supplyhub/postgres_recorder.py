"""The PostgreSQL event recorder, tuned for bulk appends."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed


class BinaryInsertRecorder(PostgresApplicationRecorder):
    """Sends the array of new events in PostgreSQL's binary format.

    The library's INSERT ... FROM unnest(%s::stored_event[]) lets psycopg pick the text
    format for the composite array, which escapes every event's bytea state with a regular
    expression: ~100 us an event, most of a bulk import. The binary format (%b) sends the
    same rows, same statement, same locking, without the escaping.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = _binary_placeholders(self.insert_events_statement)


def _binary_placeholders(statement: Composed) -> Composed:
    parts = [
        SQL(part.as_string(None).replace("%s::", "%b::")) if isinstance(part, SQL) else part
        for part in statement
    ]
    return Composed(parts)
