"""The audit ledger: a hash chain over the event log in log order, kept by the runner.

h(i) = sha256(h(i-1) || position || originator_id || version || topic || state). Each row
also keeps the event's own hash, so verification can tell an altered event from one that
moved (reordered) or vanished (deleted). The head digest is what an auditor keeps outside.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from eventsourcing.persistence import Notification

from projections.projection import Column, Rows
from projections.records import Record

GENESIS = "0" * 64


def event_hash(notification: Notification) -> str:
    body = hashlib.sha256()
    body.update(f"{notification.originator_id}|{notification.originator_version}|".encode())
    body.update(f"{notification.topic}|".encode())
    body.update(stored_bytes(notification.state))
    return body.hexdigest()


def stored_bytes(state: object) -> bytes:
    """An event's state as bytes, whatever the store hands back: a hand edit in SQLite can
    leave text where bytes were (`replace()` returns text), and that is an altered event
    to report, not a reason for the verifier to fail."""
    if isinstance(state, str):
        return state.encode("utf-8", "surrogateescape")
    return bytes(cast("bytes | bytearray | memoryview", state))


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
        if self.problem == "chain_broken":
            return f"the chain's own link at position {self.position} was altered"
        return f"event at position {self.position} was {self.problem}"


@dataclass(frozen=True)
class Verification:
    checked: int  # events compared with the recorded chain and found equal
    head_position: int  # the last of them
    head_digest: str  # the chain there, recomputed from the log
    finding: Finding | None
    unchained: int = 0  # events in the log after the recorded chain's head (not yet chained)
    digests: Mapping[int, str] = field(default_factory=dict)  # the asked positions reached
    log_head: int = 0  # the last position read from the log
    log_digest: str = GENESIS  # the chain recomputed from the log up to there (when ok)

    @property
    def ok(self) -> bool:
        return self.finding is None

    @property
    def first_unchained(self) -> int:
        return self.head_position + 1 if self.unchained else 0


def verify(
    events: Iterable[Notification],
    ledger: Iterable[tuple[int, str, str]],
    positions: Collection[int] = (),
) -> Verification:
    """Compare the stored events with the chain as it was recorded (ledger rows: position,
    event hash, digest), both in log order, and name the first place where they part.

    Nothing is chained before comparing: an event the recorded chain does not hold yet is
    counted as unchained, never folded in. The chain is recomputed from the log alongside,
    also over unchained events, so the digests at `positions` (an auditor's or a signed
    checkpoint's) can be checked against the log itself."""
    stored = iter(ledger)
    by_hash: dict[str, int] | None = None
    ledger_rows: list[tuple[int, str, str]] = []
    digest, checked, position, unchained, last = GENESIS, 0, 0, 0, 0
    digests: dict[int, str] = {}
    asked = set(positions)

    def rows() -> Iterator[tuple[int, str, str]]:
        for row in stored:
            ledger_rows.append(row)
            yield row

    def found(finding: Finding | None) -> Verification:
        return Verification(checked, position, digest, finding, unchained, digests, last, running)

    expected = rows()
    pending = next(expected, None)
    running = digest  # the chain recomputed from the log, chained or not
    for notification in events:
        own = event_hash(notification)
        last = notification.id
        if pending is None:  # beyond the recorded chain's head: not chained yet
            running = chained(running, notification.id, own)
            unchained += 1
            if notification.id in asked:
                digests[notification.id] = running
            continue
        if notification.id > pending[0]:
            return found(Finding(pending[0], "deleted"))
        if notification.id < pending[0]:
            return found(Finding(notification.id, "inserted"))
        if own != pending[1]:
            if by_hash is None:
                ledger_rows.extend(expected)
                by_hash = {row[1]: row[0] for row in ledger_rows}
            moved = by_hash.get(own, notification.id) != notification.id
            return found(Finding(notification.id, "reordered" if moved else "altered"))
        running = chained(digest, notification.id, own)
        if running != pending[2]:
            return found(Finding(notification.id, "chain_broken"))
        digest, position, checked = running, notification.id, checked + 1
        if position in asked:
            digests[position] = digest
        pending = next(expected, None)
    if pending is not None:
        return found(Finding(pending[0], "deleted"))
    return found(None)
