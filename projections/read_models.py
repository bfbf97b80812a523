"""The read models the API serves: frozen view values and the query interface over them.

This module is the contract between the projections (which build and store these views)
and the API (which only reads them). Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from domain.exception_case import ExceptionCase

T = TypeVar("T")


@dataclass(frozen=True)
class LineView:
    line_number: int
    item: str
    description: str
    uom: str
    ship_to: str
    ordered_quantity: Decimal
    unit_price: Decimal
    need_by: date
    ack_status: str  # accepted | accepted_with_changes | rejected | pending
    ack_source_code: str
    confirmed_quantity: Decimal | None
    confirmed_date: date | None
    shipped_quantity: Decimal
    received_quantity: Decimal
    invoiced_quantity: Decimal
    # Buyer view: the supplier's commitment against the need-by date.
    commitment: str  # unconfirmed | confirmed | at_risk | late | rejected | received


@dataclass(frozen=True)
class RevisionView:
    revision: int
    recorded_at: datetime
    actor: str
    channel: str
    lines_added: tuple[int, ...]
    lines_removed: tuple[int, ...]
    lines_changed: tuple[int, ...]


@dataclass(frozen=True)
class AcknowledgementView:
    revision: int
    line_number: int
    status: str
    source_code: str
    channel: str
    actor: str
    at: datetime
    stale: bool  # answered an outdated revision: recorded, not applied


@dataclass(frozen=True)
class ShipmentView:
    asn_number: str
    supplier: str
    status: str  # submitted | arrived | cancelled | replaced
    milestone: str
    ship_date: date
    expected_delivery: date
    carrier: str
    tracking_number: str
    po_numbers: tuple[str, ...]
    quantities: tuple[tuple[str, int, Decimal], ...]  # (po_number, line_number, quantity)


@dataclass(frozen=True)
class ReceiptView:
    receipt_number: str
    po_number: str
    asn_number: str
    received_on: date
    lines: tuple[tuple[int, Decimal, Decimal], ...]  # (line_number, accepted, rejected)
    has_variance: bool


@dataclass(frozen=True)
class InvoiceView:
    invoice_number: str
    supplier: str
    po_number: str
    currency: str
    invoice_date: date
    total: Decimal
    status: str  # supplier-facing: submitted | in_review | approved | paid | disputed
    # Internal AP controls: never shown to a supplier.
    match_status: str  # matched | blocked | "" (not matched yet)
    block_reasons: tuple[str, ...]
    duplicate_submissions: int


@dataclass(frozen=True)
class ChangeRequestView:
    """A supplier's change proposal outside tolerance, waiting for the buyer."""

    proposal_id: str
    revision: int
    line_number: int
    quantity: Decimal | None
    need_by: date | None
    reason: str


@dataclass(frozen=True)
class PurchaseOrderView:
    number: str
    supplier: str
    currency: str
    revision: int
    status: str  # open | cancelled | closed
    needs_action: bool  # the current revision awaits the supplier's acknowledgement
    acknowledged_revision: int  # 0 when none
    released_at: datetime
    updated_at: datetime
    lines: tuple[LineView, ...]
    revisions: tuple[RevisionView, ...]
    acknowledgements: tuple[AcknowledgementView, ...]
    shipments: tuple[ShipmentView, ...]
    receipts: tuple[ReceiptView, ...]
    invoices: tuple[InvoiceView, ...]
    open_exceptions: int
    # Added by the read side: change proposals escalated to the buyer and not yet decided.
    pending_changes: tuple[ChangeRequestView, ...] = ()


@dataclass(frozen=True)
class ExceptionView:
    key: str
    category: str
    document: str
    supplier: str
    owner_role: str
    owner: str
    status: str  # open | resolved
    reason: str
    payload_ref: str
    opened_at: datetime
    due_at: datetime
    comment_count: int = 0  # the case's comments are `CaseCommentView`s, a view of their own

    def age_hours(self, now: datetime) -> float:
        return (now - self.opened_at).total_seconds() / 3600

    def breached(self, now: datetime) -> bool:
        return self.status == "open" and now > self.due_at


@dataclass(frozen=True)
class Alert:
    kind: str  # unacknowledged_revision | asn_missing
    document: str
    supplier: str
    since: datetime
    detail: str


@dataclass(frozen=True)
class SupplierKpis:
    supplier: str
    plant: str  # "" for all plants
    ack_latency_median_hours: float | None
    ack_latency_p90_hours: float | None
    ack_within_sla_share: float | None
    asn_on_time_share: float | None
    asn_completeness_share: float | None
    receipt_variance_rate: float | None
    invoice_exception_rate: float | None
    touchless_invoice_rate: float | None


@dataclass(frozen=True)
class KpiPeriod:
    """A supplier's KPIs (over all plants) for the orders released in one day or week."""

    start: date  # the day, or the Monday of the week
    kpis: SupplierKpis


@dataclass(frozen=True)
class CaseCommentView:
    """One comment on an exception case: what was said, by whom, when and through what."""

    case_id: str  # the case's document id (`ExceptionCase.create_id(key)`)
    version: int  # the event's version in the case: comments in the order they were made
    at: datetime  # when the hub accepted the message (provenance)
    actor: str
    channel: str
    message_id: str
    text: str


@dataclass(frozen=True)
class AuditEntryView:
    """One event of a document's history, with who said it, when, how and on which revision."""

    document_id: str
    version: int
    event: str  # e.g. PurchaseOrder.Acknowledged
    recorded_at: datetime  # when the hub stored it
    at: datetime  # when the hub accepted the message (provenance)
    actor: str
    channel: str
    message_id: str
    correlation_id: str
    causation_id: str
    revision: int  # the revision the event names or answers; 0 when none
    payload_ref: str


@dataclass(frozen=True)
class PurchaseOrderFilter:
    status: str | None = None
    needs_action: bool | None = None
    released_from: datetime | None = None
    released_to: datetime | None = None
    # Overdue as of this moment: the acknowledgement (a late response), or a line's ASN.
    ack_overdue_at: datetime | None = None
    asn_missing_at: datetime | None = None


@dataclass(frozen=True)
class CaseFilter:
    """Which exception cases a queue page holds; every filter is applied in the view store.
    `opened_before` is an age (opened at least so long ago), `due_before` an SLA breach (its
    due time passed before that moment), `due_from` its opposite (not due before then)."""

    supplier: str | None = None
    status: str | None = "open"
    owner_role: str | None = None
    category: str | None = None
    owner: str | None = None
    opened_before: datetime | None = None
    due_before: datetime | None = None
    due_from: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    end_cursor: str | None  # pass as `after` for the next page; None at the end
    has_next_page: bool


class ReadModels(Protocol):
    """Queries over the views. `supplier=None` means all suppliers (internal roles only):
    the API decides the scope from the caller's token and passes it here."""

    def position(self) -> int:
        """The log position the views reflect (for response caching and ETags)."""

    def purchase_orders(
        self,
        supplier: str | None,
        filter: PurchaseOrderFilter,
        first: int,
        after: str | None = None,
    ) -> Page[PurchaseOrderView]: ...

    def purchase_order(self, number: str, supplier: str | None) -> PurchaseOrderView | None: ...

    def purchase_order_with_id(self, document_id: str) -> PurchaseOrderView | None:
        """One purchase order by its aggregate id (the live feed's: it knows events, not
        numbers), in every scope: the caller filters."""

    def exceptions(
        self,
        supplier: str | None,
        status: str | None = "open",
        owner_role: str | None = None,
        category: str | None = None,
    ) -> tuple[ExceptionView, ...]: ...

    def exceptions_page(
        self, filter: CaseFilter, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[ExceptionView, ...]:
        """Up to ``limit`` cases in queue order (`case_place`), after the place ``after``:
        filtered and paged in the store, not read whole."""

    def count_cases(self, filter: CaseFilter) -> int:
        """How many cases the filter holds, counted in the store."""

    def count_orders(self, supplier: str | None, filter: PurchaseOrderFilter) -> int:
        """How many purchase orders the filter holds, counted in the store."""

    def blocked_invoices(self, supplier: str | None) -> int:
        """How many invoices are blocked by matching, over every order, summed in the store."""

    def blocked_invoice_page(
        self, supplier: str | None, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[InvoiceView, ...]:
        """Up to ``limit`` invoices the three-way match blocked, with their reasons, in
        (order number, invoice number) order after the place ``after``: read from the orders
        the store's indexed `blocked_invoices` column names, a page of them at a time."""

    def cases_orders(
        self, cases: Sequence[tuple[str, str]], supplier: str | None
    ) -> dict[str, PurchaseOrderView]:
        """The purchase order each case (key, document) concerns, directly or through its
        receipt or invoice, by case key, read together (one read of the orders; a receipt's or an
        invoice's case adds one read of the link rows naming them); cases with none known,
        or another supplier's, are left out."""

    def cases_on(self, supplier: str, documents: Collection[str]) -> tuple[ExceptionView, ...]:
        """Every case, open or resolved, of ``supplier`` on one of ``documents`` (labels as
        cases name them: ``po:4500000042``, ``asn:SUP:ASN-1``...), oldest first."""

    def case_purchase_order(self, key: str, supplier: str | None) -> PurchaseOrderView | None:
        """The purchase order an exception case concerns (through its receipt or invoice),
        or None if none is known or it is another supplier's."""

    def linked_orders(self, link: str) -> tuple[str, ...]:
        """The purchase orders (their aggregate ids) a shipment, receipt, invoice or case
        concerns, through the link row the purchase order view keeps for it (``link`` is
        ``shipment:<id>``, ``goodsreceipt:<id>``, ``invoice:<id>``, ``exceptioncase:<id>``)."""

    def alerts(self, supplier: str | None, now: datetime) -> tuple[Alert, ...]: ...

    def kpis(self, supplier: str | None) -> tuple[SupplierKpis, ...]: ...

    def kpi_series(
        self,
        supplier: str | None,
        period: str,
        since: date | None = None,
        until: date | None = None,
    ) -> tuple[KpiPeriod, ...]:
        """The KPIs per supplier and per `period` ("day" or "week") of the orders' release,
        over the days or weeks meeting [since, until] (by default the latest 90 days or 52
        weeks up to the newest release)."""

    def history(self, document_id: UUID) -> tuple[AuditEntryView, ...]:
        """Every event of one document, oldest first, with its provenance (the audit trail)."""

    def histories(self, document_ids: Collection[UUID]) -> dict[UUID, tuple[AuditEntryView, ...]]:
        """The audit trails of several documents, read together (a trace's)."""

    def exception_case(self, key: str) -> ExceptionView | None:
        """One case by its key, in every scope (None if unknown)."""

    def case_comments(self, keys: Collection[str]) -> dict[str, tuple[CaseCommentView, ...]]:
        """The comments of each case (by key) read together, oldest first; a case without
        any is absent. Internal: the API never passes a supplier's cases here."""


def case_place(case: ExceptionView) -> tuple[str, str]:
    """Where a case stands in the queue: oldest first (UTC ISO text, as the view's column
    keeps it), ties by its row's key, so a place names one case even as others resolve."""
    return (
        case.opened_at.astimezone(UTC).isoformat(),
        f"exceptioncase:{ExceptionCase.create_id(case.key)}",
    )
