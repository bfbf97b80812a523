"""A supplier: master data, its ids in the ERP and in each channel, its tolerance policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import require
from domain.identity import document_id
from domain.limits import Code, PartyId
from domain.provenance import Provenance
from domain.tolerance import TolerancePolicy

_T = "supplyhub:Supplier"


@dataclass(frozen=True)
class ChannelId:
    """What a channel calls this supplier (an X12 ISA id, a cXML DUNS, a portal account)."""

    channel: Code
    partner_id: PartyId


class Supplier(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    class Registered(Created):
        """Version 2 added `status`; version 1 suppliers were all active."""

        TOPIC = f"{_T}.Registered"
        class_version = 2
        code: str
        name: str
        erp_id: str
        channel_ids: tuple[ChannelId, ...]
        status: str
        provenance: Provenance

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["status"] = "active"

    @staticmethod
    def create_id(code: str) -> UUID:
        return document_id("supplier", code)

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        erp_id: str,
        channel_ids: tuple[ChannelId, ...],
        status: str,
        provenance: Provenance,
    ) -> Supplier:
        require(bool(code.strip()), "supplier", "must not be empty")
        require(bool(name.strip()), "name", "must not be empty")
        require(status in ("active", "blocked"), "status", "must be 'active' or 'blocked'")
        return cls(code, name, erp_id, channel_ids, status, provenance)

    @event(Registered)
    def __init__(
        self,
        code: str,
        name: str,
        erp_id: str,
        channel_ids: tuple[ChannelId, ...],
        status: str,
        provenance: Provenance,
    ) -> None:
        self.code = code
        self.name = name
        self.erp_id = erp_id
        self.channel_ids = tuple(channel_ids)
        self.status = status
        self.tolerance: TolerancePolicy | None = None

    def update(
        self,
        name: str,
        erp_id: str,
        channel_ids: tuple[ChannelId, ...],
        status: str,
        provenance: Provenance,
    ) -> bool:
        """Record new master data; False when nothing changed (an idempotent upsert)."""
        require(status in ("active", "blocked"), "status", "must be 'active' or 'blocked'")
        if (name, erp_id, tuple(channel_ids), status) == (
            self.name,
            self.erp_id,
            self.channel_ids,
            self.status,
        ):
            return False
        self._updated(name, erp_id, channel_ids, status, provenance)
        return True

    @event("Updated", topic=f"{_T}.Updated")
    def _updated(
        self,
        name: str,
        erp_id: str,
        channel_ids: tuple[ChannelId, ...],
        status: str,
        provenance: Provenance,
    ) -> None:
        self.name = name
        self.erp_id = erp_id
        self.channel_ids = tuple(channel_ids)
        self.status = status

    def set_tolerance(self, policy: TolerancePolicy, provenance: Provenance) -> None:
        self._tolerance_set(policy, provenance)

    @event("TolerancePolicySet", topic=f"{_T}.TolerancePolicySet")
    def _tolerance_set(self, policy: TolerancePolicy, provenance: Provenance) -> None:
        self.tolerance = policy

    def tolerance_or(self, default: TolerancePolicy) -> TolerancePolicy:
        return self.tolerance or default
