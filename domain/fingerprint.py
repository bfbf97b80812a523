"""A command's fingerprint: tells a retry (same message id, same content) from a reused id.

The digest is over the command's JSON: its fields in declaration order, nested value
objects as objects, tuples as arrays, decimals as their exact strings, dates and
datetimes in ISO 8601. orjson writes that in C in ~3 us; the repr of a five-line release
took ~15 us, a tenth of deciding it in a bulk import.

Fingerprints are stored in `ProcessedMessage.Recorded` events, so the scheme is part of
the stored value: current ones start with `j1:`. Records written before it carry the
digest of the command's repr (no prefix), and `same_content` still compares those
correctly, so a retry that spans an upgrade is still recognised as a retry.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import orjson

from domain.commands import Command

_SCHEME = "j1:"


def fingerprint(command: Command) -> str:
    # Decimals through `Decimal.__str__` itself: a C method, where a Python default function
    # cost ~0.3 us for each of a release's quantities and prices. Same strings, same digest;
    # any other type orjson cannot write still raises TypeError.
    json = orjson.dumps(command, default=Decimal.__str__)
    return _SCHEME + hashlib.sha256(json).hexdigest()[:32]


def same_content(recorded: str, command: Command) -> bool:
    """Is `command` what the record with fingerprint `recorded` was computed from?"""
    if recorded.startswith(_SCHEME):
        return recorded == fingerprint(command)
    return recorded == _repr_fingerprint(command)


def _repr_fingerprint(command: Command) -> str:
    """The first scheme: a frozen dataclass's repr lists every field, nested ones too."""
    return hashlib.sha256(repr(command).encode()).hexdigest()[:32]
