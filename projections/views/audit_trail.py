"""The audit trail: every event of every document with its provenance (time travel over a
purchase order is `projections/as_of.py`)."""

from __future__ import annotations

from typing import Any

from domain.processed_message import ProcessedMessage
from projections.projection import Column, Projection
from projections.read_models import AuditEntryView
from storage import view_codec

audit_trail = Projection(
    name="audit_trail",
    columns=(Column("document_id", indexed=True),),
    row_columns=lambda view: (view.document_id,),
)
view_codec.register(AuditEntryView)


# Idempotency records are bookkeeping, not a document's history.
@audit_trail.every_event(except_of=ProcessedMessage)
def entry(view: Any, event: Any, ref: str) -> AuditEntryView:
    prov = getattr(event, "provenance", None)
    name = type(event).__qualname__
    return AuditEntryView(
        document_id=str(event.originator_id),
        version=event.originator_version,
        event=name,
        recorded_at=event.timestamp,
        at=prov.at if prov else event.timestamp,
        actor=prov.actor if prov else "",
        channel=prov.channel.value if prov else "",
        message_id=prov.message_id if prov else "",
        correlation_id=prov.correlation_id if prov else "",
        causation_id=prov.causation_id if prov else "",
        revision=revision_named(event),
        payload_ref=prov.payload_ref if prov else "",
    )


def revision_named(event: Any) -> int:
    """The revision an event creates, names or answers (0 for documents without one)."""
    if type(event).__qualname__ == "PurchaseOrder.Released":
        return 1
    for attribute in ("revision", "answered_revision"):
        if isinstance(value := getattr(event, attribute, None), int):
            return value
    proposal = getattr(event, "proposal", None)
    return proposal.revision if proposal is not None else 0
