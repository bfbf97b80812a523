"""The audit trail: every event of every document with its provenance, and time travel.

Time travel folds the purchase order view's own evolve functions over the document's
events up to a revision or a time, so "as of" and "now" are computed the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from domain.purchase_order import version_at_revision
from projections.projection import Column, Projection
from projections.read_models import AuditEntryView, PurchaseOrderView
from projections.views.purchase_orders import purchase_orders
from storage import view_codec

audit_trail = Projection(
    name="audit_trail",
    columns=(Column("document_id", indexed=True),),
    row_columns=lambda view: (view.document_id,),
)
view_codec.register(AuditEntryView)

# Idempotency records are bookkeeping, not a document's history.
_BOOKKEEPING = "supplyhub:ProcessedMessage"


@audit_trail.every_event(except_prefix=_BOOKKEEPING)
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


def purchase_order_as_of(
    events: Iterable[Any], revision: int | None = None, at: datetime | None = None
) -> PurchaseOrderView | None:
    """The purchase order view from its own events: the last state of `revision` (before the
    ERP moved past it), or as recorded by `at`. None if it did not exist yet."""
    events = list(events)
    last_version = None if revision is None else version_at_revision(events, revision)
    if revision is not None and last_version is None:
        return None
    view: Any = None
    for event in events:
        if at is not None and event.timestamp > at:
            break
        if last_version is not None and event.originator_version > last_version:
            break
        for handler in purchase_orders.handlers_for(get_topic(type(event))):
            for _key, ref in handler.keys(event, lambda key: None):
                view = handler.evolve(view, event, ref) or view
    return view if isinstance(view, PurchaseOrderView) else None
