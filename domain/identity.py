"""Aggregate ids derived from natural keys, so any process finds a document by its number."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

_NAMESPACE = UUID("5b1d0f3e-8c0a-4d7e-9a51-53757070c1e7")


@lru_cache(maxsize=100_000)  # a command derives the same id several times; uuid5 is a SHA-1
def document_id(kind: str, key: str) -> UUID:
    return uuid5(_NAMESPACE, f"{kind}:{key}")
