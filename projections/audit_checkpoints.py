"""Signed checkpoints of the audit chain: (position, digest, time) under an HMAC-SHA256 key
that is never in the database, one JSON line each, and the check of a chain against them.

Someone who can write the database can rewrite the log and re-chain it, but cannot sign a
checkpoint without the key: every checkpoint already written pins the chain up to its
position. The file is appended to, never rewritten; what that does not protect against
(a truncated file) is in docs/read-side.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Checkpoint:
    position: int
    digest: str
    at: str  # ISO time the checkpoint was signed
    signature: str  # hex HMAC-SHA256 over `message`

    @property
    def message(self) -> bytes:
        return f"supplyhub-audit-checkpoint|{self.position}|{self.digest}|{self.at}".encode()

    def signed_by(self, key: bytes) -> bool:
        return hmac.compare_digest(_mac(key, self.message), self.signature)

    def line(self) -> str:
        """The JSON line appended to the checkpoint file."""
        return json.dumps(
            {
                "position": self.position,
                "digest": self.digest,
                "at": self.at,
                "hmac_sha256": self.signature,
            },
            separators=(",", ":"),
        )


def sign(key: bytes, position: int, digest: str, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(position, digest, at.isoformat(), "")
    return Checkpoint(position, digest, unsigned.at, _mac(key, unsigned.message))


def parse(line: str) -> Checkpoint:
    """One line of the file; ValueError if it is not a checkpoint."""
    try:
        doc = json.loads(line)
        return Checkpoint(
            int(doc["position"]), str(doc["digest"]), str(doc["at"]), str(doc["hmac_sha256"])
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"not a checkpoint ({error})") from None


def positions(lines: Sequence[str]) -> set[int]:
    """The positions the readable lines name, so the chain is recomputed there."""
    found = set()
    for line in lines:
        try:
            found.add(parse(line).position)
        except ValueError:
            continue
    return found


def problems(
    lines: Sequence[str],
    key: bytes | None,
    digests: Mapping[int, str],
    reached: int,
    complete: bool = True,
) -> list[str]:
    """What is wrong with the checkpoint file's lines against the log's recomputed chain
    (`digests`: position -> digest recomputed from the log, up to position `reached`;
    `complete`: that is the log's end); empty when every line holds."""
    found: list[str] = []
    if lines and key is None:
        return [
            f"{len(lines)} checkpoints cannot be checked without the key "
            "(SUPPLYHUB_AUDIT_KEY or SUPPLYHUB_AUDIT_KEY_FILE)"
        ]
    previous: Checkpoint | None = None
    for number, line in enumerate(lines, start=1):
        try:
            checkpoint = parse(line)
        except ValueError as error:
            found.append(f"checkpoint line {number} is unreadable: {error}")
            continue
        assert key is not None  # (checked above: no key, no lines to check)
        if not checkpoint.signed_by(key):
            found.append(
                f"checkpoint line {number} (position {checkpoint.position}) has a "
                "signature that does not match: edited, or signed with another key"
            )
            continue
        if previous is not None and (
            checkpoint.position < previous.position or checkpoint.at < previous.at
        ):
            found.append(
                f"checkpoint line {number} goes back from position "
                f"{previous.position} to {checkpoint.position}: lines reordered"
            )
        previous = checkpoint
        if checkpoint.position > reached:
            if complete:
                found.append(
                    f"checkpoint line {number} pins position {checkpoint.position}, "
                    f"but the log ends at {reached}: events were deleted"
                )
        elif checkpoint.position and digests.get(checkpoint.position) != checkpoint.digest:
            found.append(
                f"checkpoint line {number} of {checkpoint.at}: the chain at position "
                f"{checkpoint.position} is not the one signed then: the log up to "
                "there was rewritten (and re-chained)"
            )
    return found


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()
