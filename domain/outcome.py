"""What a command did, as returned to the caller and replayed for a repeated message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """`status` is a word a client can branch on: applied, unchanged, stale, escalated,
    matched, blocked, duplicate. `exceptions` are the keys of cases the command opened."""

    status: str
    document: str
    revision: int = 0
    exceptions: tuple[str, ...] = ()
    detail: str = ""
    replayed: bool = False
