"""Serialized query answers keyed by request, caller scope and read-model position."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from api.auth import Principal


def cache_key(body: bytes, principal: Principal, position: int) -> str:
    """The raw body carries the query text, variables and operation name; the scope decides
    which rows and fields are visible; the position says which version of the views answered."""
    digest = hashlib.sha256(body)
    digest.update(f"\0{principal.role}\0{principal.supplier}\0{position}".encode())
    return digest.hexdigest()


def etag(key: str) -> str:
    return f'"{key[:32]}"'


class ResponseCache:
    """A bounded LRU of JSON bytes. Entries of older positions are never asked for again and
    simply age out."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, key: str, body: bytes) -> None:
        self._entries[key] = body
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)


class Position:
    """The views' position, asked of the store at most once per `ttl` seconds: it is a query
    on the stored read side, and a cached answer must cost far less than that. An answer may
    thus trail a new position by up to `ttl` (never serve an older view than it names)."""

    def __init__(self, read: Callable[[], int], ttl: float) -> None:
        self.read = read
        self.ttl = ttl
        self._value = 0
        self._until = 0.0

    def __call__(self) -> int:
        now = time.monotonic()
        if now >= self._until:
            self._value = self.read()
            self._until = now + self.ttl
        return self._value

    def moved(self, position: int) -> None:
        """The views reached `position` (the live feed learned it): answers are cached
        under it from now on, not under the position read up to `ttl` ago. Without this, a
        page re-reading on a subscription's change could be handed the answer cached just
        before the change."""
        if position > self._value:
            self._value = position
