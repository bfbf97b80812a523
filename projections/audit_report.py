"""What an audit concludes, from values alone: the chain's head as an auditor keeps it
(`ChainHead`, parsed in this one place), the ledger's rows as `verify` reads them, and the
report that weighs the recomputed chain against the signed checkpoints and the kept head.

Pure, so it sits beside the ledger in projections/; reading the store, the key, the
checkpoint file and the NATS stream is process wiring, in supplyhub/audit.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from projections import audit_checkpoints
from projections.views.audit_ledger import GENESIS, Verification


@dataclass(frozen=True)
class ChainHead:
    """A log position and the chain's digest there, written POSITION:DIGEST: what
    `supplyhub audit digest` prints and an auditor keeps outside the system."""

    position: int
    digest: str = GENESIS

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """POSITION:DIGEST as `audit digest` prints it; ValueError otherwise."""
        position, _, digest = text.partition(":")
        if not position.isdigit() or len(digest) != 64:
            raise ValueError(
                f"{text!r} is not POSITION:DIGEST (as `supplyhub audit digest` prints it)"
            )
        return cls(int(position), digest.lower())

    @classmethod
    def of_row(cls, key: str, doc: str) -> ChainHead:
        """The head a ledger row records."""
        position, _, digest = ledger_link(key, doc)
        return cls(position, digest)

    def __str__(self) -> str:
        return f"{self.position}:{self.digest}"


def ledger_link(key: str, doc: str) -> tuple[int, str, str]:
    """One row of the audit ledger view as `verify` compares it: (position, event hash,
    digest); the row's doc is "<event hash> <digest>", as `AuditLedger` writes it."""
    own, digest = doc.split(" ")
    return int(key), own, digest


def ledger_links(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[int, str, str]]:
    return (ledger_link(key, doc) for key, doc in rows)


@dataclass(frozen=True)
class Report:
    verification: Verification
    checkpoints: int  # lines in the checkpoint file
    checkpoint_problems: list[str] = field(default_factory=list)
    expected: ChainHead | None = None  # the head the auditor kept
    expected_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.checkpoint_problems and not self.expected_problem


def positions_to_check(
    lines: Sequence[str], streamed: Sequence[str] | None, expect: ChainHead | None
) -> set[int]:
    """The positions whose recomputed digest the report compares: every checkpoint's (file
    and stream) and the kept head's."""
    asked = audit_checkpoints.positions([*lines, *(streamed or ())])
    if expect is not None:
        asked.add(expect.position)
    return asked


def judge(
    verification: Verification,
    lines: Sequence[str],
    streamed: Sequence[str] | None,
    key: bytes | None,
    expect: ChainHead | None = None,
    stream: str = "",
) -> Report:
    """The report on a verification: the checkpoint file's `lines` and the NATS `stream`'s
    (`streamed`, None when NATS is off) checked under `key`, and the head the auditor kept."""
    reached = verification.log_head if verification.ok else verification.head_position
    found = audit_checkpoints.problems(
        lines, key, verification.digests, reached, complete=verification.ok
    )
    if streamed is not None:
        found += [
            f"NATS stream {stream}: {problem}"
            for problem in audit_checkpoints.problems(
                streamed, key, verification.digests, reached, complete=verification.ok
            )
        ]
        if len(streamed) > len(lines):
            found.append(
                f"the checkpoint file holds {len(lines)} checkpoints, the NATS stream "
                f"{len(streamed)}: the file was truncated or replaced"
            )
    return Report(verification, len(lines), found, expect, _expected(verification, expect))


def _expected(verification: Verification, expect: ChainHead | None) -> str:
    if expect is None:
        return ""
    position, digest = expect.position, expect.digest
    if position > verification.log_head and verification.ok:
        return f"the log ends at {verification.log_head}, before position {position}"
    got = verification.digests.get(position)
    if got is None:  # not reached: the finding says why
        return "" if not verification.ok else f"position {position} is not in the log"
    if got != digest:
        return f"the chain at position {position} is {got}, not the expected {digest}"
    return ""
