"""One purchase order's whole story on one timeline: the audit trail entries of the order and
of every document about it (its ASNs, receipts, invoices and exception cases), in order."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.identity import document_id
from projections.read_models import AuditEntryView, ExceptionView, PurchaseOrderView

# The audit trails of several documents at once, by document id (one read for a trace).
Histories = Callable[[Collection[UUID]], Mapping[UUID, Sequence[AuditEntryView]]]


@dataclass(frozen=True)
class TraceStep:
    """One event on the timeline, named by its document (`po:4500000042`, `asn:SUP:ASN-1`...)."""

    document: str
    entry: AuditEntryView


def documents_of(po: PurchaseOrderView, cases: Iterable[ExceptionView]) -> tuple[str, ...]:
    """The order, its ASNs, receipts and invoices, and the exception cases on any of them."""
    labels = [f"po:{po.number}"]
    labels += [f"asn:{s.supplier}:{s.asn_number}" for s in po.shipments]
    labels += [f"receipt:{r.receipt_number}" for r in po.receipts]
    labels += [f"invoice:{i.supplier}:{i.invoice_number}" for i in po.invoices]
    concerned = set(labels)
    labels += [f"exception:{c.key}" for c in cases if c.document in concerned]
    return tuple(dict.fromkeys(labels))


def timeline(labels: Iterable[str], histories: Histories) -> tuple[TraceStep, ...]:
    """Every event of the documents, ordered by when the hub accepted its message, then by
    when it was stored (the events one message caused keep the order they were recorded in)."""
    ids = {label: document_id(*label.split(":", 1)) for label in labels}
    found = histories(list(ids.values()))
    steps = [TraceStep(label, entry) for label, id_ in ids.items() for entry in found.get(id_, ())]
    return tuple(
        sorted(steps, key=lambda s: (s.entry.at, s.entry.recorded_at, s.document, s.entry.version))
    )
