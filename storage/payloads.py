"""Raw payloads kept byte for byte, content-addressed: the reference is ``sha256:<hex>`` of
the bytes, the value every event they caused carries in its provenance's ``payload_ref``.

Files under a folder (``<data dir>/payloads`` by default), one per payload, in a two-level
fan-out (``ab/abcdef...``); written to a temporary name and renamed, so a reader never sees
half a payload, and the same bytes stored twice are one file.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_REF = re.compile(r"sha256:([0-9a-f]{64})\Z")


class UnknownPayloadError(LookupError):
    """No payload is kept under the reference (or it is no reference at all)."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no payload is kept under {ref!r}")
        self.ref = ref


def payload_ref(payload: bytes) -> str:
    return f"sha256:{hashlib.sha256(payload).hexdigest()}"


class PayloadStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, payload: bytes) -> str:
        """Keep ``payload``; returns its reference."""
        ref = payload_ref(payload)
        path = self._path(ref)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_bytes(payload)
            os.replace(temporary, path)
        return ref

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
