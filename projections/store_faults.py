"""Faults of the store, named for an operator: a stored event that cannot be read, a store
that refuses writes (read-only, disk full), a store that cannot be reached.

The CLI and the API ask `store_fault(error)` once, where they map errors, and say the
reason plainly instead of a traceback; a supplier is only told "temporarily unavailable".
"""

from __future__ import annotations

import errno
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from eventsourcing.persistence import MapperDeserialisationError, PersistenceError
from psycopg import errors as pg

from domain.errors import StoredHistoryError

PUBLIC = "temporarily unavailable; please try again later"
# The library's message (eventsourcing is pinned) names the event it could not read.
_UNREADABLE = re.compile(
    r"topic '(?P<topic>[^']*)', originator_id '(?P<id>[^']*)' and originator_version (?P<v>\d+)"
)


# The exception classes a fault arrives as (the library wraps the drivers' errors).
FAULT_TYPES: tuple[type[Exception], ...] = (
    MapperDeserialisationError, StoredHistoryError, PersistenceError, sqlite3.Error,
    psycopg.Error, OSError,
)  # fmt: skip


@dataclass(frozen=True)
class StoreFault:
    kind: str  # corrupt_event | read_only | disk_full | unreachable | io_error
    reason: str  # for operators and auditors: what and where
    originator_id: str = ""  # corrupt_event: the document's id ...
    version: int = 0  # ... and the event's version in it

    public = PUBLIC


def store_fault(error: BaseException) -> StoreFault | None:
    """The store fault behind `error` (or one it was raised from), if it is one."""
    for cause in _chain(error):
        fault = _classify(cause)
        if fault is not None:
            return fault
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify(error: BaseException) -> StoreFault | None:
    if isinstance(error, MapperDeserialisationError):
        return _unreadable(str(error))
    if isinstance(error, StoredHistoryError):
        return StoreFault(
            "corrupt_event",
            f"{error}: an event there does not follow from those before it (forged or edited "
            "in the store; see `supplyhub audit verify`)",
            error.originator_id,
            error.version,
        )
    if isinstance(error, sqlite3.Error):
        text = str(error).lower()
        if "readonly" in text or "read-only" in text:
            return READ_ONLY
        if "disk is full" in text or getattr(error, "sqlite_errorcode", 0) == sqlite3.SQLITE_FULL:
            return DISK_FULL
        if "disk i/o" in text or "malformed" in text or "not a database" in text:
            return StoreFault("io_error", f"the store cannot be read or written: {error}")
        return None
    if isinstance(error, pg.DiskFull):
        return DISK_FULL
    if isinstance(error, pg.ReadOnlySqlTransaction):
        return READ_ONLY
    if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:  # no server
        return StoreFault("unreachable", f"PostgreSQL cannot be reached: {error}".strip())
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
        kind = "disk_full" if error.errno != errno.EROFS else "read_only"
        return StoreFault(kind, f"a file cannot be written ({error.strerror}): {error.filename}")
    return None


def _unreadable(message: str) -> StoreFault:
    found = _UNREADABLE.search(message)
    if found is None:
        return StoreFault("corrupt_event", "a stored event cannot be read (corrupt data)")
    version = int(found["v"])
    return StoreFault(
        "corrupt_event",
        f"the stored event {found['topic']} of document {found['id']} at version {version} "
        "cannot be read: the store holds corrupt data there (restore it, see "
        "docs/operations.md)",
        found["id"],
        version,
    )


READ_ONLY = StoreFault(
    "read_only", "the store is read-only: writes are refused (check the file system, the "
    "database's permissions or a read-only replica)",
)  # fmt: skip
DISK_FULL = StoreFault(
    "disk_full", "the store's disk is full: writes are refused until space is freed"
)
