"""The trading partners' register: one short method per use case over `TradingPartner`.

Its own log (the library names it after ``name``: ``partners_events``, beside ``hub_events``
in the same SQLite file or schema), so a profile change is never relayed to NATS, never
projected, and its position tells the gateway's directory, in one read, whether any profile
changed since it last looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.errors import ConflictError, NotFoundError
from domain.provenance import Provenance
from domain.trading_partner import TradingPartner


@dataclass(frozen=True)
class Change:
    """What a put or rollback left: the current version, and whether it wrote one."""

    partner: str
    version: int
    written: bool


@dataclass(frozen=True)
class ProfileVersion:
    """One version of a profile: when, who, what kind of change and which fields it touched."""

    version: int
    kind: str  # registered | revised | rolled back
    at: datetime
    actor: str
    changed: tuple[str, ...]
    to_version: int | None  # a rollback's target


class PartnerRegister(Application[UUID]):
    name = "Partners"

    def put(self, partner: str, supplier: str, document: str, provenance: Provenance) -> Change:
        """Make ``document`` the partner's current profile; the same document again writes
        nothing. A concurrent writer's version is read again before deciding (a conflict only
        if it keeps losing)."""
        for _ in range(3):
            try:
                current: TradingPartner = self.repository.get(TradingPartner.create_id(partner))
            except AggregateNotFoundError:
                current = TradingPartner.register(partner, supplier, document, provenance)
            else:
                if not current.revise(supplier, document, provenance):
                    return Change(partner, current.version, False)
            if self._saved(current):
                return Change(partner, current.version, True)
        raise ConflictError(f"partner {partner!r} changed concurrently; retry")

    def roll_back(self, partner: str, to_version: int, provenance: Provenance) -> Change:
        for _ in range(3):
            current = self.trading_partner(partner)
            if not current.roll_back(to_version, provenance):
                return Change(partner, current.version, False)
            if self._saved(current):
                return Change(partner, current.version, True)
        raise ConflictError(f"partner {partner!r} changed concurrently; retry")

    def trading_partner(self, partner: str) -> TradingPartner:
        try:
            found: TradingPartner = self.repository.get(TradingPartner.create_id(partner))
        except AggregateNotFoundError:
            raise NotFoundError("partner", partner) from None
        return found

    def versions(self, partner: str) -> list[ProfileVersion]:
        self.trading_partner(partner)  # NotFoundError for a partner never registered
        return [_version(each) for each in self.events.get(TradingPartner.create_id(partner))]

    def position(self) -> int:
        """The register's log position: it moves when, and only when, a profile changes."""
        return self.recorder.max_notification_id() or 0

    def changed_since(self, position: int) -> tuple[int, set[UUID]]:
        """The partners (their ids) changed after ``position``, and the position now."""
        changed: set[UUID] = set()
        while batch := self.recorder.select_notifications(position, 500, inclusive_of_start=False):
            changed.update(UUID(str(each.originator_id)) for each in batch)
            position = batch[-1].id
        return position, changed

    def all(self) -> list[TradingPartner]:
        """Every partner, in the order of their ids."""
        _, ids = self.changed_since(0)
        found: list[TradingPartner] = [self.repository.get(each) for each in ids]
        return sorted(found, key=lambda each: each.partner)

    def _saved(self, partner: TradingPartner) -> bool:
        try:
            self.save(partner)
        except IntegrityError:  # another writer recorded this version first: decide again
            return False
        return True


def _version(event: object) -> ProfileVersion:
    if isinstance(event, TradingPartner.RolledBack):
        kind, changed, to_version = "rolled back", event.changed, event.to_version
        provenance, version = event.provenance, event.originator_version
    elif isinstance(event, TradingPartner.Revised):
        kind, changed, to_version = "revised", event.changed, None
        provenance, version = event.provenance, event.originator_version
    else:
        registered = cast(TradingPartner.Registered, event)
        kind, changed, to_version = "registered", (), None
        provenance, version = registered.provenance, registered.originator_version
    return ProfileVersion(
        version, kind, provenance.at, provenance.actor, tuple(changed), to_version
    )
