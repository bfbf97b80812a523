"""A trading partner's profile, event-sourced: every change a new version, nothing deleted.

The state is the profile's validated JSON document (validated and its secrets hashed at the
edge, connectors/gateway/partner_documents.py, before any command) and the supplier it speaks
for. A rollback is a new version whose document equals an earlier one's, so the history says
who went back, when, and to what.
"""

from __future__ import annotations

import json
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ValidationError, require
from domain.identity import document_id
from domain.provenance import Provenance

_T = "supplyhub:TradingPartner"


def changed_fields(before: str, after: str) -> tuple[str, ...]:
    """The paths (``items``, ``cxml.endpoint``) whose values differ between two documents:
    objects are compared key by key one level down, never showing a value."""
    old, new = json.loads(before), json.loads(after)
    found: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if isinstance(was, dict) and isinstance(now, dict):
            found += [f"{key}.{inner}" for inner in sorted(was.keys() | now.keys())
                      if was.get(inner) != now.get(inner)]  # fmt: skip
        else:
            found.append(key)
    return tuple(found)


class TradingPartner(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    class Registered(Created):
        TOPIC = f"{_T}.Registered"
        partner: str
        supplier: str
        document: str
        provenance: Provenance

    class Revised(Aggregate.Event):
        TOPIC = f"{_T}.Revised"
        supplier: str
        document: str
        changed: tuple[str, ...]
        provenance: Provenance

    class RolledBack(Aggregate.Event):
        TOPIC = f"{_T}.RolledBack"
        to_version: int
        changed: tuple[str, ...]
        provenance: Provenance

    @staticmethod
    def create_id(partner: str) -> UUID:
        return document_id("trading-partner", partner)

    @classmethod
    def register(
        cls, partner: str, supplier: str, document: str, provenance: Provenance
    ) -> TradingPartner:
        require(bool(partner.strip()), "partner", "must not be empty")
        require(bool(supplier.strip()), "supplier", "must not be empty")
        return cls(partner, supplier, document, provenance)

    @event(Registered)
    def __init__(self, partner: str, supplier: str, document: str, provenance: Provenance) -> None:
        self.partner = partner
        self.supplier = supplier
        self.document = document
        self.history: list[tuple[str, str]] = [(supplier, document)]  # version n at n - 1

    def revise(self, supplier: str, document: str, provenance: Provenance) -> bool:
        """Record a new version; False (nothing recorded) when the document is the current one."""
        if document == self.document and supplier == self.supplier:
            return False
        require(bool(supplier.strip()), "supplier", "must not be empty")
        self._revised(supplier, document, changed_fields(self.document, document), provenance)
        return True

    @event(Revised)
    def _revised(
        self, supplier: str, document: str, changed: tuple[str, ...], provenance: Provenance
    ) -> None:
        self.supplier, self.document = supplier, document
        self.history.append((supplier, document))

    def roll_back(self, to_version: int, provenance: Provenance) -> bool:
        """Make version ``to_version``'s document current again, as a new version; False
        (nothing recorded) when it already is."""
        if not 1 <= to_version <= self.version:
            raise ValidationError(
                "version", f"must be between 1 and {self.version}, the partner's versions"
            )
        supplier, document = self.history[to_version - 1]
        if document == self.document and supplier == self.supplier:
            return False
        self._rolled_back(to_version, changed_fields(self.document, document), provenance)
        return True

    @event(RolledBack)
    def _rolled_back(
        self, to_version: int, changed: tuple[str, ...], provenance: Provenance
    ) -> None:
        self.supplier, self.document = self.history[to_version - 1]
        self.history.append((self.supplier, self.document))
