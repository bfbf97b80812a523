"""The admin's port to the trading partners' profiles: what REST lists, shows, puts and rolls
back. The composition root implements it over the event-sourced register
(supplyhub/partner_desk.py); the API never touches the store or a channel itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.errors import NotFoundError


@dataclass(frozen=True)
class PartnerView:
    """A partner's current profile, as anyone may see it: its cXML secret hash redacted."""

    partner: str
    supplier: str
    version: int
    profile: dict[str, Any]


@dataclass(frozen=True)
class PartnerChange:
    """What a put or rollback left: the current version, and whether it wrote one."""

    partner: str
    version: int
    written: bool


@dataclass(frozen=True)
class PartnerVersionView:
    version: int
    kind: str  # registered | revised | rolled back
    at: datetime
    actor: str
    changed: list[str]  # the fields it changed (never their values)
    to_version: int | None  # a rollback's target


class PartnerDesk(Protocol):
    def all(self) -> list[PartnerView]: ...

    def show(self, partner: str) -> PartnerView:
        """NotFoundError for a partner with no profile."""

    def put(self, partner: str, document: object, actor: str) -> PartnerChange:
        """ValidationError naming the field when the document is not a profile."""

    def versions(self, partner: str) -> list[PartnerVersionView]: ...

    def roll_back(self, partner: str, version: int, actor: str) -> PartnerChange: ...


class NoPartners:
    """An app without a partner register (tests of the API alone)."""

    def all(self) -> list[PartnerView]:
        return []

    def show(self, partner: str) -> PartnerView:
        raise NotFoundError("partner", partner)

    def put(self, partner: str, document: object, actor: str) -> PartnerChange:
        raise NotFoundError("partner register", "this hub has none configured")

    def versions(self, partner: str) -> list[PartnerVersionView]:
        raise NotFoundError("partner", partner)

    def roll_back(self, partner: str, version: int, actor: str) -> PartnerChange:
        raise NotFoundError("partner", partner)
