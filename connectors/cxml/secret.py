"""A cXML shared secret kept only as a salted PBKDF2 hash, compared in constant time.

``pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>``: the profile stores this, never the
secret; `supplyhub cxml hash-secret` makes one (docs/cxml.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

_SCHEME = "pbkdf2_sha256"
ITERATIONS = 60_000


def hash_secret(secret: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from; False for a malformed hash."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        given = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


class VerifiedSecrets:
    """Secrets already checked against a stored hash, so a partner's next document costs a
    keyed digest instead of PBKDF2's ~30 ms of CPU.

    An entry is made only after `secret_matches` said yes, keyed by the stored hash and an
    HMAC of the presented secret under a key made at start and never kept: a wrong secret has
    another key and never hits; a profile whose hash changes (a new secret) hits none of its
    old entries. Bounded: the least recently used goes first. Thread-safe (the API checks
    documents in a thread pool)."""

    def __init__(
        self, size: int = 1024, check: Callable[[str, str], bool] = secret_matches
    ) -> None:
        self._size = size
        self._check = check
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[tuple[str, bytes], None] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"VerifiedSecrets({len(self._seen)} of {self._size})"

    def matches(self, secret: str, stored: str) -> bool:
        """`secret_matches`, remembered when it holds."""
        key = (stored, hmac.digest(self._key, secret.encode(), "sha256"))
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return True
        if not self._check(secret, stored):
            return False
        with self._lock:
            self._seen[key] = None
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return True
