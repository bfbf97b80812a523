"""The audit ledger: a hash chain over the event log in log order, kept by the runner.

h(i) = sha256(h(i-1) || position || originator_id || version || topic || state). Each row
also keeps the event's own hash, so verification can tell an altered event from one that
moved (reordered) or vanished (deleted). The head digest is what an auditor keeps outside.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from eventsourcing.persistence import Notification

from projections.projection import Column, Record, Rows

GENESIS = "0" * 64


def event_hash(notification: Notification) -> str:
    body = hashlib.sha256()
    body.update(f"{notification.originator_id}|{notification.originator_version}|".encode())
    body.update(f"{notification.topic}|".encode())
    body.update(notification.state)
    return body.hexdigest()


def chained(previous: str, position: int, own_hash: str) -> str:
    return hashlib.sha256(f"{previous}|{position}|{own_hash}".encode()).hexdigest()


def position_key(position: int) -> str:
    """Zero-padded, so the text key sorts in log order."""
    return f"{position:020d}"


class AuditLedger:
    """The processor that appends one chain link per event (no decoding needed)."""

    name = "audit_ledger"
    columns: tuple[Column, ...] = ()

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        last = rows.last()
        digest = last[1].split(" ")[1] if last else GENESIS
        links = []
        for record in records:
            own = event_hash(record.notification)
            digest = chained(digest, record.position, own)
            links.append((position_key(record.position), (), f"{own} {digest}"))
        rows.upsert(links)
        return len(links)


@dataclass(frozen=True)
class Finding:
    position: int
    problem: str  # altered | deleted | reordered | inserted | chain_broken

    def __str__(self) -> str:
        return f"event at position {self.position} was {self.problem}"


@dataclass(frozen=True)
class Verification:
    checked: int
    head_position: int
    head_digest: str
    finding: Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def verify(events: Iterable[Notification], ledger: Iterable[tuple[int, str, str]]) -> Verification:
    """Recompute the chain from the stored events and compare it with the ledger rows
    (position, event hash, digest), both in log order; name the first difference."""
    stored = iter(ledger)
    by_hash: dict[str, int] | None = None
    ledger_rows: list[tuple[int, str, str]] = []
    digest, checked, position = GENESIS, 0, 0

    def rows() -> Iterator[tuple[int, str, str]]:
        for row in stored:
            ledger_rows.append(row)
            yield row

    expected = rows()
    pending = next(expected, None)
    for notification in events:
        if pending is None:
            break  # beyond the ledger's head: not projected yet
        own = event_hash(notification)
        if notification.id > pending[0]:
            return Verification(checked, position, digest, Finding(pending[0], "deleted"))
        if notification.id < pending[0]:
            return Verification(checked, position, digest, Finding(notification.id, "inserted"))
        if own != pending[1]:
            if by_hash is None:
                ledger_rows.extend(expected)
                by_hash = {row[1]: row[0] for row in ledger_rows}
            moved = by_hash.get(own, notification.id) != notification.id
            problem = "reordered" if moved else "altered"
            return Verification(checked, position, digest, Finding(notification.id, problem))
        digest = chained(digest, notification.id, own)
        if digest != pending[2]:
            return Verification(checked, position, digest, Finding(notification.id, "chain_broken"))
        position, checked = notification.id, checked + 1
        pending = next(expected, None)
    if pending is not None:
        return Verification(checked, position, digest, Finding(pending[0], "deleted"))
    return Verification(checked, position, digest, None)
