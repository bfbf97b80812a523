"""Raw payloads kept byte for byte, content-addressed: the reference is ``sha256:<hex>`` of
the bytes, the value every event they caused carries in its provenance's ``payload_ref``.

Two stores, one API (``put``, ``put_file``, ``get``): `PayloadStore`, files under a folder
(``<data dir>/payloads``, the default), one per payload in a two-level fan-out
(``ab/abcdef...``), written to a temporary name and renamed, so a reader never sees half a
payload; and `DatabasePayloadStore`, a table beside the events when the hub runs on
PostgreSQL, so payloads are backed up, replicated and restored with the log that points at
them. Either way the same bytes stored twice are kept once, and, given a `PayloadIndex`,
each payload is noted there with its sender, receiver and time (storage/payload_index.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from storage.database import Database
from storage.payload_index import HEAD, PayloadIndex

_REF = re.compile(r"sha256:([0-9a-f]{64})\Z")


class UnknownPayloadError(LookupError):
    """No payload is kept under the reference (or it is no reference at all)."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no payload is kept under {ref!r}")
        self.ref = ref


def payload_ref(payload: bytes) -> str:
    return f"sha256:{hashlib.sha256(payload).hexdigest()}"


class Payloads(Protocol):
    def put(self, payload: bytes) -> str: ...
    def put_file(self, path: Path) -> str: ...
    def get(self, ref: str) -> bytes: ...


_CHUNK = 1 << 20


def file_ref(path: Path) -> str:
    """The reference of a file's bytes, read a chunk at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD)


class PayloadStore:
    def __init__(self, folder: Path, index: PayloadIndex | None = None) -> None:
        self.folder = folder
        self.index = index

    def put_file(self, path: Path) -> str:
        """Keep the bytes of the file at ``path`` without reading it whole (a 100 MB
        interchange is copied a chunk at a time); returns its reference."""
        ref = file_ref(path)
        kept = self._path(ref)
        if not kept.is_file():
            kept.parent.mkdir(parents=True, exist_ok=True)
            temporary = kept.with_name(f".{kept.name}.{os.getpid()}")
            shutil.copyfile(path, temporary)
            os.replace(temporary, kept)
        if self.index is not None:
            self.index.note(ref, _head(path))
        return ref

    def put(self, payload: bytes) -> str:
        """Keep ``payload``; returns its reference."""
        ref = payload_ref(payload)
        path = self._path(ref)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_bytes(payload)
            os.replace(temporary, path)
        if self.index is not None:
            self.index.note(ref, payload[:HEAD])
        return ref

    def kept(self) -> Iterator[tuple[str, bytes, str]]:
        """Every payload kept: (ref, its first bytes, when its file was written)."""
        for path in self.folder.glob("??/*"):
            if path.name.startswith("."):
                continue
            at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
            yield f"sha256:{path.name}", _head(path), at

    def get(self, ref: str) -> bytes:
        """The bytes kept under ``ref``, checked against it."""
        path = self._path(ref)
        try:
            payload = path.read_bytes()
        except FileNotFoundError:
            raise UnknownPayloadError(ref) from None
        if payload_ref(payload) != ref:  # a file changed on disk is not the payload
            raise UnknownPayloadError(ref)
        return payload

    def _path(self, ref: str) -> Path:
        found = _REF.match(ref)
        if found is None:
            raise UnknownPayloadError(ref)
        digest = found.group(1)
        return self.folder / digest[:2] / digest


class DatabasePayloadStore:
    """Payloads in the hub's database (``edi_payloads``): what `PayloadStore` keeps in files."""

    def __init__(self, database: Database, index: PayloadIndex | None = None) -> None:
        self._db = database
        self.index = index
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_payloads (ref TEXT PRIMARY KEY, "
                f"payload {database.blob} NOT NULL)"
            )

    def put(self, payload: bytes) -> str:
        ref = payload_ref(payload)
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO edi_payloads (ref, payload) VALUES (%s, %s) "
                "ON CONFLICT (ref) DO NOTHING",
                (ref, payload),
            )
            if self.index is not None:  # in the payload's own commit
                self.index.note_in(tx, ref, payload[:HEAD])
        return ref

    def put_file(self, path: Path) -> str:
        ref = file_ref(path)
        with self._db.transaction() as tx:
            if not tx.execute("SELECT 1 FROM edi_payloads WHERE ref = %s", (ref,)):
                tx.execute(
                    "INSERT INTO edi_payloads (ref, payload) VALUES (%s, %s) "
                    "ON CONFLICT (ref) DO NOTHING",
                    (ref, path.read_bytes()),
                )
            if self.index is not None:
                self.index.note_in(tx, ref, _head(path))
        return ref

    def kept(self) -> Iterator[tuple[str, bytes, str]]:
        """Every payload kept: (ref, its first bytes, "": a row does not say when)."""
        with self._db.transaction() as tx:
            refs = [str(row[0]) for row in tx.execute("SELECT ref FROM edi_payloads")]
        for ref in refs:
            with self._db.transaction() as tx:
                rows = tx.execute(
                    f"SELECT substr(payload, 1, {HEAD}) FROM edi_payloads WHERE ref = %s", (ref,)
                )
            if rows:
                yield ref, bytes(rows[0][0]), ""

    def get(self, ref: str) -> bytes:
        if _REF.match(ref) is None:
            raise UnknownPayloadError(ref)
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT payload FROM edi_payloads WHERE ref = %s", (ref,))
        if not rows or payload_ref(payload := bytes(rows[0][0])) != ref:
            raise UnknownPayloadError(ref)
        return payload
