"""An alert rule: which exception cases (a category, a supplier, a plant; opened, open too
long, past their due time) are sent where (a webhook URL or e-mail addresses), and who said so."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, ValidationError, require
from domain.exception_case import Category
from domain.identity import document_id
from domain.provenance import Provenance

_T = "supplyhub:AlertRule"


class Trigger(StrEnum):
    OPENED = "opened"  # a case was opened (read from the log as it happens)
    OPEN_LONGER = "open_longer"  # still open `open_hours` after it was opened
    SLA_BREACHED = "sla_breached"  # still open past its due time


class Destination(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


def _is_address(address: str) -> bool:
    local, _, host = address.partition("@")
    return bool(local and host) and "@" not in host and " " not in address


def _one_of(kind: type[StrEnum]) -> str:
    return f"must be one of {', '.join(kind)}"


@dataclass(frozen=True)
class AlertTerms:
    """What a rule matches and where it sends; "" matches any category, supplier or plant."""

    trigger: str
    destination: str
    target: str  # the webhook's URL, or e-mail addresses separated by commas
    open_hours: int = 0
    category: str = ""
    supplier: str = ""
    plant: str = ""

    def check(self) -> None:
        """Every broken term named at once (one `ValidationError`), not the first alone."""
        if broken := self.problems():
            raise ValidationError.of(broken)

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.trigger not in set(Trigger):
            found.append(("trigger", _one_of(Trigger)))
        if self.trigger == Trigger.OPEN_LONGER and self.open_hours < 1:
            found.append(("open_hours", "must be at least 1 for open_longer"))
        if self.trigger != Trigger.OPEN_LONGER and self.open_hours != 0:
            found.append(("open_hours", "is only for an open_longer rule"))
        if self.category not in {"", *Category}:
            found.append(("category", f"must be empty (any) or one of {', '.join(Category)}"))
        if self.destination not in set(Destination):
            found.append(("destination", _one_of(Destination)))
        elif self.destination == Destination.WEBHOOK:
            url = urlsplit(self.target)
            if url.scheme not in ("http", "https") or not url.hostname or " " in self.target:
                found.append(("target", "must be an http(s) URL for a webhook"))
        elif not self.addresses():
            found.append(("target", "must name at least one e-mail address"))
        else:
            found += [("target", f"{address!r} is not an e-mail address")
                      for address in self.addresses() if not _is_address(address)]  # fmt: skip
        return found

    def addresses(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.target.split(",") if part.strip())

    def fields(self) -> dict[str, Any]:
        return asdict(self)


def _no_reason(state: dict[str, Any]) -> None:
    state["reason"] = ""  # version 1 said who, not why


class AlertRule(Aggregate):
    """Version 2 of its events added `reason` (why the admin changed the rule); a rule can be
    disabled (kept, listed, not sent) and enabled again, or removed."""

    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    class Defined(Created):
        TOPIC = f"{_T}.Defined"
        class_version = 2
        name: str
        trigger: str
        destination: str
        target: str
        open_hours: int
        category: str
        supplier: str
        plant: str
        reason: str
        provenance: Provenance
        upcast_v1_v2 = staticmethod(_no_reason)

    class Redefined(Aggregate.Event):
        TOPIC = f"{_T}.Redefined"
        class_version = 2
        trigger: str
        destination: str
        target: str
        open_hours: int
        category: str
        supplier: str
        plant: str
        reason: str
        provenance: Provenance
        upcast_v1_v2 = staticmethod(_no_reason)

    class Removed(Aggregate.Event):
        TOPIC = f"{_T}.Removed"
        class_version = 2
        reason: str
        provenance: Provenance
        upcast_v1_v2 = staticmethod(_no_reason)

    class Disabled(Aggregate.Event):
        TOPIC = f"{_T}.Disabled"
        reason: str
        provenance: Provenance

    class Enabled(Aggregate.Event):
        TOPIC = f"{_T}.Enabled"
        reason: str
        provenance: Provenance

    @staticmethod
    def create_id(name: str) -> UUID:
        return document_id("alert-rule", name)

    @classmethod
    def define(cls, name: str, terms: AlertTerms, reason: str, provenance: Provenance) -> AlertRule:
        require(bool(name.strip()), "name", "must not be empty")
        terms.check()
        return cls(name=name, **terms.fields(), reason=reason, provenance=provenance)

    @event(Defined)
    def __init__(
        self,
        name: str,
        trigger: str,
        destination: str,
        target: str,
        open_hours: int,
        category: str,
        supplier: str,
        plant: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        self.name = name
        self.active = True  # not removed
        self.enabled = True  # sent; a disabled rule is kept and listed, not sent
        self.terms = AlertTerms(trigger, destination, target, open_hours, category, supplier,
                                plant)  # fmt: skip

    def redefine(self, terms: AlertTerms, reason: str, provenance: Provenance) -> None:
        """New terms under the same name (a removed rule comes back with them, enabled; a
        disabled one stays disabled)."""
        terms.check()
        if self.active and terms == self.terms:
            return  # nothing changes: nothing to record
        self._redefined(**terms.fields(), reason=reason, provenance=provenance)

    @event(Redefined)
    def _redefined(
        self,
        trigger: str,
        destination: str,
        target: str,
        open_hours: int,
        category: str,
        supplier: str,
        plant: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        if not self.active:
            self.active, self.enabled = True, True
        self.terms = AlertTerms(trigger, destination, target, open_hours, category, supplier,
                                plant)  # fmt: skip

    def remove(self, reason: str, provenance: Provenance) -> None:
        self._in_force()
        self._removed(reason, provenance)

    @event(Removed)
    def _removed(self, reason: str, provenance: Provenance) -> None:
        self.active = False

    def disable(self, reason: str, provenance: Provenance) -> None:
        self._in_force()
        if not self.enabled:
            raise ConflictError(f"alert rule {self.name} is already disabled")
        self._disabled(reason, provenance)

    @event(Disabled)
    def _disabled(self, reason: str, provenance: Provenance) -> None:
        self.enabled = False

    def enable(self, reason: str, provenance: Provenance) -> None:
        self._in_force()
        if self.enabled:
            raise ConflictError(f"alert rule {self.name} is already enabled")
        self._enabled(reason, provenance)

    @event(Enabled)
    def _enabled(self, reason: str, provenance: Provenance) -> None:
        self.enabled = True

    def _in_force(self) -> None:
        if not self.active:
            raise ConflictError(f"alert rule {self.name} is already removed")
