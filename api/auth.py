"""Bearer tokens (HS256 JWTs) and the principal they name: a role, and a supplier for suppliers."""

from __future__ import annotations

import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from jwt.types import Options

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


# What PyJWT's refusals mean, in the hub's words (its own texts name Python types).
_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.InvalidIssuerError, "the token was not issued by this hub (iss)"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim (exp, sub and role)"),
    (jwt.exceptions.InvalidSubjectError, "the sub claim must be a string"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token is not signed with HS256"),
    (jwt.DecodeError, "the token is not a well-formed JWT"),
)
# The times are checked here, after their types: PyJWT reads them with int(), so
# exp "99999999999" (a string) and 1e20 passed it.
_TIMES_CHECKED_HERE: Options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}


def _refusal(error: jwt.PyJWTError) -> str:
    return next((text for kind, text in _REFUSALS if isinstance(error, kind)), "invalid token")


@dataclass(frozen=True)
class AuthConfig:
    secret: str
    issuer: str = "supplyhub"
    leeway_seconds: int = 30
    max_lifetime_seconds: int = 24 * 3600

    def issue(
        self, role: Role, subject: str = "dev", supplier: str = "", ttl_seconds: int = 3600
    ) -> str:
        if (role is Role.SUPPLIER) != bool(supplier):
            raise ValueError("a supplier token names exactly one supplier; other roles none")
        if not 0 < ttl_seconds <= self.max_lifetime_seconds:
            raise ValueError(
                f"a token lives at most {self.max_lifetime_seconds} seconds "
                "(SUPPLYHUB_JWT_MAX_LIFETIME_SECONDS)"
            )
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

    def verify(self, token: str) -> tuple[Principal, int]:
        """The principal a token names and when it expires (seconds since 1970)."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],  # pinned: never trust the token's own `alg`
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "sub", "role"], **_TIMES_CHECKED_HERE},
            )
        except jwt.PyJWTError as error:
            raise UnauthenticatedError(_refusal(error)) from None
        expires = self._times_checked(claims)
        subject, role, supplier = (_text(claims, name) for name in ("sub", "role", "supplier"))
        if role not in Role.__members__.values():
            raise UnauthenticatedError(f"the role claim must be one of {', '.join(Role)}")
        if (Role(role) is Role.SUPPLIER) != bool(supplier):
            raise UnauthenticatedError(
                "a supplier token must name its supplier, and only a supplier token may"
            )
        return Principal(subject=subject, role=Role(role), supplier=supplier), expires

    def _times_checked(self, claims: dict[str, Any]) -> int:
        """Whole seconds only; valid now; no longer-lived than the hub allows, counted from
        now and from `iat`. Returns `exp`."""
        for name in ("exp", "iat", "nbf"):
            if name in claims and type(claims[name]) is not int:
                raise UnauthenticatedError(
                    f"the {name} claim must be a whole number of seconds since 1970"
                )
        now, leeway = int(time.time()), self.leeway_seconds
        expires: int = claims["exp"]
        issued: int = claims.get("iat", now)
        if expires <= now - leeway:
            raise UnauthenticatedError("the token has expired")
        if max(issued, claims.get("nbf", now)) > now + leeway:
            raise UnauthenticatedError("the token is not valid yet (iat or nbf lies ahead)")
        if max(expires - issued, expires - now) > self.max_lifetime_seconds + leeway:
            raise UnauthenticatedError(
                f"the token lives longer than the {self.max_lifetime_seconds} seconds "
                "this hub accepts"
            )
        return expires


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str):
        raise UnauthenticatedError(f"the {name} claim must be a string")
    return value


class KnownSuppliers:
    """Whether the hub has registered a supplier. A known one is remembered (suppliers are
    never removed); an unknown one is asked again, so a supplier upserted a moment ago is
    known at once."""

    def __init__(self, registered: Callable[[str], bool]) -> None:
        self.registered = registered
        self._known: set[str] = set()

    def __contains__(self, code: object) -> bool:
        if code in self._known:
            return True
        if isinstance(code, str) and self.registered(code):
            self._known.add(code)
            return True
        return False


class TokenCache:
    """Verified tokens for their remaining lifetime: a portal sends the same token on every
    request, and verifying an HS256 signature is most of a cached query's cost."""

    def __init__(
        self, config: AuthConfig, suppliers: Container[str] | None = None, maxsize: int = 10_000
    ) -> None:
        self.config = config
        self.suppliers = suppliers  # None: every supplier a valid token names is accepted
        self.maxsize = maxsize
        self._known: dict[str, tuple[Principal, float]] = {}

    def principal(self, authorization: str | None) -> Principal:
        if not authorization or not authorization[:7].lower() == "bearer ":
            raise UnauthenticatedError("send Authorization: Bearer <token>")
        token = authorization[7:].strip()
        known = self._known.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal, expires = self.config.verify(token)
        scope = principal.scope
        if scope is not None and self.suppliers is not None and scope not in self.suppliers:
            raise UnauthenticatedError(
                f"the token names supplier {scope!r}, which this hub does not know"
            )
        if len(self._known) >= self.maxsize:
            self._known.clear()
        self._known[token] = (principal, float(expires))
        return principal
