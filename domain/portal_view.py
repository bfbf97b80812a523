"""Which revisions of an order its supplier has opened in the portal, the first time each:
what a buyer asks before chasing an acknowledgement ("have they even seen revision 3?"), and
the "portal view" step of the order's trace. Its own aggregate, not the order's: a supplier
reading an order never races the ERP revising it."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import require
from domain.identity import document_id
from domain.provenance import Provenance

_T = "supplyhub:PortalView"


class PortalView(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(po_number: str) -> UUID:
        return document_id("portal", po_number)

    @classmethod
    def first_seen(
        cls, po_number: str, supplier: str, revision: int, provenance: Provenance
    ) -> PortalView:
        require(revision >= 1, "revision", "must be 1 or more")
        return cls(po_number, supplier, revision, provenance)

    @event("FirstSeen", topic=f"{_T}.FirstSeen")
    def __init__(
        self, po_number: str, supplier: str, revision: int, provenance: Provenance
    ) -> None:
        self.po_number = po_number
        self.supplier = supplier
        self.revisions: tuple[int, ...] = (revision,)

    def seen(self, revision: int, provenance: Provenance) -> bool:
        """The supplier opened the order at ``revision``; recorded the first time only
        (whether it was recorded now)."""
        require(revision >= 1, "revision", "must be 1 or more")
        if revision in self.revisions:
            return False
        self._seen(revision, provenance)
        return True

    @event("Seen", topic=f"{_T}.Seen")
    def _seen(self, revision: int, provenance: Provenance) -> None:
        self.revisions = (*self.revisions, revision)
