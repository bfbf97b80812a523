"""Bearer tokens (HS256 JWTs) and the principal they name: a role, and a supplier for suppliers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from domain.errors import ForbiddenError


class Role(StrEnum):
    SUPPLIER = "supplier"
    BUYER = "buyer"
    AP = "ap"
    AUDITOR = "auditor"
    CONNECTOR = "connector"
    ADMIN = "admin"


INTERNAL = frozenset({Role.BUYER, Role.AP, Role.AUDITOR, Role.ADMIN})


class UnauthenticatedError(Exception):
    """No token, or one that is expired, forged or malformed (401)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    supplier: str = ""  # set exactly when the role is supplier

    @property
    def actor(self) -> str:
        """How the principal is named in provenance and the audit log."""
        if self.role is Role.SUPPLIER:
            return f"supplier:{self.supplier}"
        return f"{self.role}:{self.subject}"

    @property
    def scope(self) -> str | None:
        """The supplier a query is limited to; None means all suppliers."""
        return self.supplier if self.role is Role.SUPPLIER else None

    def require(self, *roles: Role) -> None:
        if self.role not in roles and self.role is not Role.ADMIN:
            raise ForbiddenError(f"role {self.role} may not do this")


@dataclass(frozen=True)
class AuthConfig:
    secret: str
    issuer: str = "supplyhub"
    leeway_seconds: int = 30

    def issue(
        self, role: Role, subject: str = "dev", supplier: str = "", ttl_seconds: int = 3600
    ) -> str:
        if (role is Role.SUPPLIER) != bool(supplier):
            raise ValueError("a supplier token names exactly one supplier; other roles none")
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "role": str(role),
            "iss": self.issuer,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        if supplier:
            claims["supplier"] = supplier
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def principal(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],  # pinned: never trust the token's own `alg`
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "sub", "role"]},
            )
            role = Role(claims["role"])
        except (jwt.PyJWTError, ValueError) as error:
            raise UnauthenticatedError(str(error)) from None
        supplier = str(claims.get("supplier", ""))
        if (role is Role.SUPPLIER) != bool(supplier):
            raise UnauthenticatedError("a supplier token must name its supplier")
        return Principal(subject=str(claims["sub"]), role=role, supplier=supplier)


class TokenCache:
    """Verified tokens for their remaining lifetime: a portal sends the same token on every
    request, and verifying an HS256 signature is most of a cached query's cost."""

    def __init__(self, config: AuthConfig, maxsize: int = 10_000) -> None:
        self.config = config
        self.maxsize = maxsize
        self._known: dict[str, tuple[Principal, float]] = {}

    def principal(self, authorization: str | None) -> Principal:
        if not authorization or not authorization[:7].lower() == "bearer ":
            raise UnauthenticatedError("send Authorization: Bearer <token>")
        token = authorization[7:].strip()
        known = self._known.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal = self.config.principal(token)
        if len(self._known) >= self.maxsize:
            self._known.clear()
        expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        self._known[token] = (principal, expires)
        return principal
