"""A cXML shared secret kept only as a salted PBKDF2 hash, compared in constant time.

``pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>``: the profile stores this, never the
secret; `supplyhub cxml hash-secret` makes one (docs/cxml.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

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
