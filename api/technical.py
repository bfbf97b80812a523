"""The console's port to the hub's technical side beyond the read models: the tracked
positions of the backbone's workers (relay, EDI outbound, ERP write-backs) and the NATS inbound
consumer, the partner channels with their parked interchanges, the ERP adapter, and the two
replays an operator may ask for (a parked interchange through its inbound path again; a log
range republished to NATS). The composition root implements it (supplyhub/technical_desk.py);
the API never imports a connector."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class BackbonePosition:
    """A worker's place: a tracked subscriber's position in the log, or the inbound
    consumer's in its NATS stream (then `head` is the stream's last sequence)."""

    worker: str
    position: int
    head: int
    lag: int
    detail: str = ""  # why the figures are missing (NATS off, unreachable)


@dataclass(frozen=True)
class PartnerChannel:
    partner: str
    supplier: str
    dialect: str  # x12, edifact or cxml
    last_out: str  # when the last document went to the partner ("" never)
    last_in: str  # when the last interchange came from it and was refused or applied
    sent: int  # documents sent (850 / ORDERS; cXML OrderRequests the supplier accepted)
    refused: int  # events that could not become a document (cXML: OrderRequests refused)
    parked: int  # interchanges of the partner refused for their syntax (EDI only)
    error_rate: float  # (refused + parked) / (sent + refused + received), 0 with no traffic
    received: int = 0  # interchanges or cXML documents kept from the partner


@dataclass(frozen=True)
class ParkedDocument:
    """An interchange refused for its syntax, kept with the reason; what it holds up."""

    ref: str  # the archived payload, sha256:...
    partner: str
    reason: str
    at: str
    purchase_orders: list[str]  # the orders it names (BAK03, PRF01, BIG04, RFF+ON)


@dataclass(frozen=True)
class Channels:
    partners: list[PartnerChannel]
    parked: list[ParkedDocument]


@dataclass(frozen=True)
class ErpAdapter:
    """What `supplyhub erp status --json` shows, or why there is nothing to show."""

    configured: bool
    detail: str
    status: dict[str, str | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Replayed:
    """A parked interchange run through its inbound path again, or a log range republished:
    who asked, why and what it did; recorded beside the dead letters' releases."""

    target: str  # the payload reference, or log:FROM-TO
    action: str  # replay | republish
    actor: str
    reason: str
    applied: int  # commands applied (replay) or events published (republish)
    replayed: int  # commands the hub had applied already: nothing written for them
    problem: str  # why it was refused again, or what the hub refused of it; "" when none
    at: str


@dataclass(frozen=True)
class SentDocument:
    """A document the hub sent a partner about an order (an 850, ORDERS or change; a cXML
    OrderRequest), the order's event it was sent for, and the partner's answer to it."""

    partner: str
    channel: str  # edi | cxml
    document: str  # "X12 850 12", "EDIFACT ORDERS 7", "cXML OrderRequest <payloadID>"
    sent_at: datetime | None  # None: written, its sending not recorded yet (partner away)
    payload_ref: str  # sha256:... of the bytes sent (archived), "" when none went out
    order_version: int  # the order's version whose event it was sent for; 0 when not known
    answer: str  # "997 accepted", "CONTRL rejected", "cXML 200 OK"; "" while awaited
    answered_at: datetime | None
    detail: str  # what the answer said


class TechnicalDesk(Protocol):
    def positions(self) -> list[BackbonePosition]: ...

    def channels(self) -> Channels: ...

    def erp(self) -> ErpAdapter: ...

    def sent_about(self, po_number: str) -> list[SentDocument]:
        """The documents sent to partners about the order, oldest first."""

    def replay_parked(self, ref: str, *, actor: str, reason: str) -> Replayed:
        """Run the parked interchange through the inbound path again (the hub answers a
        command it applied with its first result); NotFoundError if nothing is parked
        under ``ref``."""

    def republish(self, start: int, stop: int | None, *, actor: str, reason: str) -> Replayed:
        """What `supplyhub replay --from START --to STOP` does; ValidationError when NATS
        is not configured."""


class NoTechnicalDesk:
    """An app without the backbone's stores (tests of the API alone)."""

    def positions(self) -> list[BackbonePosition]:
        return []

    def channels(self) -> Channels:
        return Channels([], [])

    def erp(self) -> ErpAdapter:
        return ErpAdapter(False, "no ERP adapter in this app")

    def sent_about(self, po_number: str) -> list[SentDocument]:
        return []

    def replay_parked(self, ref: str, *, actor: str, reason: str) -> Replayed:
        raise NotFoundError("parked interchange", ref)

    def republish(self, start: int, stop: int | None, *, actor: str, reason: str) -> Replayed:
        raise ValidationError("nats", "SUPPLYHUB_NATS_URL is not set: there is no stream")
