"""A business exception for a person to own: why, about what, by when, and how it ended."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, require
from domain.identity import document_id
from domain.provenance import Provenance

_T = "supplyhub:ExceptionCase"

# A comment is a person's explanation, not a document: a few paragraphs at most.
MAX_COMMENT_CHARACTERS = 2_000
# Control characters but tab, line feed and carriage return (a newline may be CR LF).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Category(StrEnum):
    STALE_REVISION = "stale_revision"
    TOLERANCE_BREACH = "tolerance_breach"
    QUANTITY_VARIANCE = "quantity_variance"
    MISSING_ASN = "missing_asn"
    DUPLICATE_INVOICE = "duplicate_invoice"
    PRICE_MISMATCH = "price_mismatch"
    QUALITY_HOLD = "quality_hold"
    LINE_REJECTED = "line_rejected"
    OVER_SHIPMENT = "over_shipment"
    ERP_REFUSED = "erp_refused"
    UNACKNOWLEDGED_ORDER = "unacknowledged_order"
    ORDER_REJECTED_IN_ACK = "order_rejected_in_ack"


# Who owns a category, and how long they have.
_ROUTING: dict[Category, tuple[str, timedelta]] = {
    Category.STALE_REVISION: ("buyer", timedelta(hours=24)),
    Category.TOLERANCE_BREACH: ("buyer", timedelta(hours=48)),
    Category.QUANTITY_VARIANCE: ("buyer", timedelta(hours=48)),
    Category.MISSING_ASN: ("buyer", timedelta(hours=24)),
    Category.DUPLICATE_INVOICE: ("ap", timedelta(hours=72)),
    Category.PRICE_MISMATCH: ("ap", timedelta(hours=72)),
    Category.QUALITY_HOLD: ("buyer", timedelta(hours=72)),
    Category.LINE_REJECTED: ("buyer", timedelta(hours=24)),
    Category.OVER_SHIPMENT: ("buyer", timedelta(hours=48)),
    Category.ERP_REFUSED: ("buyer", timedelta(hours=24)),
    Category.UNACKNOWLEDGED_ORDER: ("buyer", timedelta(hours=24)),
    Category.ORDER_REJECTED_IN_ACK: ("buyer", timedelta(hours=24)),
}


class ExceptionCase(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(key: str) -> UUID:
        return document_id("exception", key)

    @classmethod
    def open(
        cls,
        category: Category,
        document: str,
        supplier: str,
        reason: str,
        provenance: Provenance,
    ) -> ExceptionCase:
        """Open the case raised by one message about one document (one per such pair)."""
        owner_role, sla = _ROUTING[category]
        key = f"{category.value}:{document}:{provenance.message_id}"
        return cls(
            key=key,
            category=category.value,
            document=document,
            supplier=supplier,
            owner_role=owner_role,
            due_at=provenance.at + sla,
            reason=reason,
            provenance=provenance,
        )

    @event("Opened", topic=f"{_T}.Opened")
    def __init__(
        self,
        key: str,
        category: str,
        document: str,
        supplier: str,
        owner_role: str,
        due_at: datetime,
        reason: str,
        provenance: Provenance,
    ) -> None:
        self.key = key
        self.category = category
        self.document = document
        self.supplier = supplier
        self.owner_role = owner_role
        self.owner = ""
        self.due_at = due_at
        self.reason = reason
        self.status = "open"

    def assign(self, owner: str, provenance: Provenance) -> None:
        require(bool(owner.strip()), "owner", "must not be empty")
        self._require_open()
        self._assigned(owner, provenance)

    @event("Assigned", topic=f"{_T}.Assigned")
    def _assigned(self, owner: str, provenance: Provenance) -> None:
        self.owner = owner

    def resolve(self, resolution: str, provenance: Provenance) -> None:
        require(bool(resolution.strip()), "resolution", "must say how it was resolved")
        self._require_open()
        self._resolved(resolution, provenance)

    @event("Resolved", topic=f"{_T}.Resolved")
    def _resolved(self, resolution: str, provenance: Provenance) -> None:
        self.status = "resolved"

    def comment(self, text: str, provenance: Provenance) -> None:
        """Say something about the case, open or resolved: people explain after the fact too."""
        require(bool(text.strip()), "text", "must not be empty")
        require(
            len(text) <= MAX_COMMENT_CHARACTERS,
            "text",
            f"must be at most {MAX_COMMENT_CHARACTERS} characters",
        )
        require(
            not _CONTROL.search(text),
            "text",
            "must not contain control characters (newlines and tabs are allowed)",
        )
        self._commented(text, provenance)

    @event("Commented", topic=f"{_T}.Commented")
    def _commented(self, text: str, provenance: Provenance) -> None:
        """A comment changes nothing the case decides by: the text is in the event."""

    def _require_open(self) -> None:
        if self.status != "open":
            raise ConflictError(f"exception case {self.key} is already {self.status}")
