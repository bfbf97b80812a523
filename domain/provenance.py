"""Who said what, when, through which channel: carried by every event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    ERP = "erp"
    PORTAL = "portal"
    X12 = "x12"
    EDIFACT = "edifact"
    CXML = "cxml"
    SYSTEM = "system"


@dataclass(frozen=True)
class Provenance:
    """The envelope of one inbound message.

    `message_id` is the idempotency key; `at` is when the hub accepted the message
    (time is always passed in, never read inside the domain); `payload_ref` points at the
    raw inbound document kept outside the event, for lineage; `tenant` is the supplier an
    actor is bound to ("" for the manufacturer's own roles).
    """

    message_id: str
    correlation_id: str
    causation_id: str
    actor: str
    channel: Channel
    at: datetime
    payload_ref: str = ""
    tenant: str = ""

    @property
    def namespace(self) -> str:
        """Whose idempotency keys these are: a supplier's users share their supplier's keys,
        any other caller (a connector identity, the ERP adapter, a partner) has its own. Two
        namespaces never see each other's keys. Derived, not stored: records written before
        keys were scoped carry the same fields, so their namespace is known too."""
        return f"supplier:{self.tenant}" if self.tenant else self.actor


__all__ = ["Channel", "Provenance"]
