"""A quality hold on received goods: placed, corrective action requested, released."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, require
from domain.identity import document_id
from domain.provenance import Provenance

_T = "supplyhub:QualityEvent"


class QualityEvent(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(hold_id: str) -> UUID:
        return document_id("quality", hold_id)

    @classmethod
    def place_hold(
        cls,
        hold_id: str,
        receipt_number: str,
        po_number: str,
        supplier: str,
        lot: str,
        reason: str,
        certificate_ref: str,
        provenance: Provenance,
    ) -> QualityEvent:
        require(bool(hold_id.strip()), "hold_id", "must not be empty")
        require(bool(reason.strip()), "reason", "a hold must say why")
        return cls(
            hold_id, receipt_number, po_number, supplier, lot, reason, certificate_ref, provenance
        )

    @event("HoldPlaced", topic=f"{_T}.HoldPlaced")
    def __init__(
        self,
        hold_id: str,
        receipt_number: str,
        po_number: str,
        supplier: str,
        lot: str,
        reason: str,
        certificate_ref: str,
        provenance: Provenance,
    ) -> None:
        self.hold_id = hold_id
        self.receipt_number = receipt_number
        self.po_number = po_number
        self.supplier = supplier
        self.status = "on_hold"

    def request_corrective_action(self, description: str, provenance: Provenance) -> None:
        self._require_on_hold()
        require(bool(description.strip()), "description", "must not be empty")
        self._corrective_action_requested(description, provenance)

    @event("CorrectiveActionRequested", topic=f"{_T}.CorrectiveActionRequested")
    def _corrective_action_requested(self, description: str, provenance: Provenance) -> None:
        self.status = "corrective_action_requested"

    def release(self, note: str, provenance: Provenance) -> None:
        self._require_on_hold()
        self._released(note, provenance)

    @event("Released", topic=f"{_T}.Released")
    def _released(self, note: str, provenance: Provenance) -> None:
        self.status = "released"

    def _require_on_hold(self) -> None:
        if self.status == "released":
            raise ConflictError(f"quality hold {self.hold_id} is already released")
