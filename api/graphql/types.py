"""GraphQL types for portals and buyers, built from the read-model views (never stored as such)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types.nodes import SelectedField

from api.auth import Role
from api.graphql.context import Info
from api.graphql.visibility import redacted, shown
from projections import read_models as rm


# Enums named as the domain names its values (lowercase), so answers and filters keep the
# words the events and the REST API use; tests/api/test_rough_edges.py holds them to the domain.
@strawberry.enum(description="Why a case was opened (domain.exception_case.Category).")
class CaseCategory(Enum):
    stale_revision = "stale_revision"
    tolerance_breach = "tolerance_breach"
    quantity_variance = "quantity_variance"
    missing_asn = "missing_asn"
    duplicate_invoice = "duplicate_invoice"
    price_mismatch = "price_mismatch"
    quality_hold = "quality_hold"
    line_rejected = "line_rejected"
    over_shipment = "over_shipment"
    erp_refused = "erp_refused"
    unacknowledged_order = "unacknowledged_order"
    order_rejected_in_ack = "order_rejected_in_ack"


@strawberry.enum(description="Whether a case still needs someone.")
class CaseStatus(Enum):
    open = "open"
    resolved = "resolved"


@strawberry.enum(description="Who owns a category of case.")
class OwnerRole(Enum):
    buyer = "buyer"
    ap = "ap"


@strawberry.enum(
    description="A line's answer from the supplier (domain.acknowledgement.AckStatus)."
)
class AckStatus(Enum):
    accepted = "accepted"
    accepted_with_changes = "accepted_with_changes"
    rejected = "rejected"
    pending = "pending"


@strawberry.type
class Line:
    line_number: int
    item: str
    description: str
    uom: str
    ship_to: str
    ordered_quantity: Decimal
    unit_price: Decimal
    need_by: date
    ack_status: AckStatus
    ack_source_code: str
    confirmed_quantity: Decimal | None
    confirmed_date: date | None
    shipped_quantity: Decimal
    received_quantity: Decimal
    invoiced_quantity: Decimal
    commitment: str

    @classmethod
    def of(cls, v: rm.LineView) -> Line:
        return cls(
            line_number=v.line_number, item=v.item, description=v.description, uom=v.uom,
            ship_to=v.ship_to, ordered_quantity=v.ordered_quantity, unit_price=v.unit_price,
            need_by=v.need_by, ack_status=AckStatus(v.ack_status),
            ack_source_code=v.ack_source_code,
            confirmed_quantity=v.confirmed_quantity, confirmed_date=v.confirmed_date,
            shipped_quantity=v.shipped_quantity, received_quantity=v.received_quantity,
            invoiced_quantity=v.invoiced_quantity, commitment=v.commitment,
        )  # fmt: skip


@strawberry.type
class Revision:
    revision: int
    recorded_at: datetime
    actor: str | None = strawberry.field(description="Null for suppliers.")
    channel: str
    lines_added: list[int]
    lines_removed: list[int]
    lines_changed: list[int]

    @classmethod
    def of(cls, v: rm.RevisionView, role: Role) -> Revision:
        return redacted(cls(
            revision=v.revision, recorded_at=v.recorded_at, actor=v.actor, channel=v.channel,
            lines_added=list(v.lines_added), lines_removed=list(v.lines_removed),
            lines_changed=list(v.lines_changed),
        ), role)  # fmt: skip


@strawberry.type
class Acknowledgement:
    revision: int
    line_number: int
    status: str
    source_code: str
    channel: str
    actor: str
    at: datetime
    stale: bool

    @classmethod
    def of(cls, v: rm.AcknowledgementView) -> Acknowledgement:
        return cls(
            revision=v.revision, line_number=v.line_number, status=v.status,
            source_code=v.source_code, channel=v.channel, actor=v.actor, at=v.at, stale=v.stale,
        )  # fmt: skip


@strawberry.type
class LineQuantity:
    po_number: str
    line_number: int
    quantity: Decimal


@strawberry.type
class Shipment:
    asn_number: str
    supplier: str
    status: str
    milestone: str
    ship_date: date
    expected_delivery: date
    carrier: str
    tracking_number: str
    po_numbers: list[str]
    quantities: list[LineQuantity]

    @classmethod
    def of(cls, v: rm.ShipmentView) -> Shipment:
        return cls(
            asn_number=v.asn_number, supplier=v.supplier, status=v.status, milestone=v.milestone,
            ship_date=v.ship_date, expected_delivery=v.expected_delivery, carrier=v.carrier,
            tracking_number=v.tracking_number, po_numbers=list(v.po_numbers),
            quantities=[LineQuantity(po_number=p, line_number=n, quantity=q)
                        for p, n, q in v.quantities],
        )  # fmt: skip


@strawberry.type
class ReceiptLine:
    line_number: int
    accepted: Decimal
    rejected: Decimal


@strawberry.type
class Receipt:
    receipt_number: str
    po_number: str
    asn_number: str
    received_on: date
    lines: list[ReceiptLine]
    has_variance: bool

    @classmethod
    def of(cls, v: rm.ReceiptView) -> Receipt:
        return cls(
            receipt_number=v.receipt_number, po_number=v.po_number, asn_number=v.asn_number,
            received_on=v.received_on, has_variance=v.has_variance,
            lines=[ReceiptLine(line_number=n, accepted=a, rejected=r) for n, a, r in v.lines],
        )  # fmt: skip


@strawberry.type(
    description="matchStatus, blockReasons and duplicateSubmissions are internal AP controls: "
    "null for suppliers, who see the lifecycle in `status`."
)
class Invoice:
    invoice_number: str
    supplier: str
    po_number: str
    currency: str
    invoice_date: date
    total: Decimal
    status: str = strawberry.field(description="submitted | in_review | approved | paid | disputed")
    match_status: str | None
    block_reasons: list[str] | None
    duplicate_submissions: int | None

    @classmethod
    def of(cls, v: rm.InvoiceView, role: Role) -> Invoice:
        return redacted(cls(
            invoice_number=v.invoice_number, supplier=v.supplier, po_number=v.po_number,
            currency=v.currency, invoice_date=v.invoice_date, total=v.total, status=v.status,
            match_status=v.match_status, block_reasons=list(v.block_reasons),
            duplicate_submissions=v.duplicate_submissions,
        ), role)  # fmt: skip


@strawberry.type
class PurchaseOrder:
    number: str
    supplier: str
    currency: str
    revision: int = strawberry.field(description="The latest revision: the one to answer.")
    status: str
    needs_action: bool
    acknowledged_revision: int
    released_at: datetime
    updated_at: datetime
    open_exceptions: int | None = strawberry.field(
        description="Open cases on the order, every owner's: null for suppliers."
    )
    # Plain data rather than resolvers, so the fast path (fast_path.py) can project them.
    lines: list[Line]
    revisions: list[Revision]
    acknowledgements: list[Acknowledgement]
    shipments: list[Shipment]
    receipts: list[Receipt]
    invoices: list[Invoice]

    @classmethod
    def of(
        cls, v: rm.PurchaseOrderView, role: Role, asked: Collection[str] | None = None
    ) -> PurchaseOrder:
        """The order for this role; with `asked` (the fields the query selects), the lists
        it does not select are left empty rather than built (they are never written)."""

        def wanted(name: str) -> bool:
            return asked is None or name in asked

        return redacted(cls(
            number=v.number, supplier=v.supplier, currency=v.currency, revision=v.revision,
            status=v.status, needs_action=v.needs_action,
            acknowledged_revision=v.acknowledged_revision, released_at=v.released_at,
            updated_at=v.updated_at, open_exceptions=v.open_exceptions,
            lines=[Line.of(x) for x in v.lines] if wanted("lines") else [],
            revisions=[Revision.of(x, role) for x in v.revisions] if wanted("revisions") else [],
            acknowledgements=[Acknowledgement.of(x) for x in v.acknowledgements]
            if wanted("acknowledgements") else [],
            shipments=[Shipment.of(x) for x in v.shipments] if wanted("shipments") else [],
            receipts=[Receipt.of(x) for x in v.receipts] if wanted("receipts") else [],
            invoices=[Invoice.of(x, role) for x in v.invoices] if wanted("invoices") else [],
        ), role)  # fmt: skip


@strawberry.type
class PurchaseOrderPage:
    items: list[PurchaseOrder]
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool
    counting: strawberry.Private[Callable[[], int] | None] = None

    @strawberry.field
    async def total_count(self) -> int:
        """How many orders the filters hold over every page (one count in the store)."""
        assert self.counting is not None  # every page of orders is made with its count
        return await run_in_threadpool(self.counting)


@strawberry.type(description="One comment on an exception case: who said what, and when.")
class CaseComment:
    at: datetime = strawberry.field(description="When the hub accepted the comment.")
    actor: str = strawberry.field(description="Who made it (the token's subject).")
    text: str = strawberry.field(description="As written: plain text, never markup.")

    @classmethod
    def of(cls, v: rm.CaseCommentView) -> CaseComment:
        return cls(at=v.at, actor=v.actor, text=v.text)


@strawberry.type
class ExceptionCase:
    key: str
    category: CaseCategory
    document: str
    supplier: str
    owner_role: OwnerRole
    owner: str | None = strawberry.field(description="Null for suppliers.")
    status: CaseStatus
    reason: str
    opened_at: datetime
    due_at: datetime
    comment_count: int | None = strawberry.field(
        description="How many comments the case has. Null for suppliers."
    )

    @strawberry.field
    async def comments(self, info: Info) -> list[CaseComment] | None:
        """The manufacturer's comments on the case, oldest first; null for suppliers. Read
        only when the query asks, for every case of the page together."""
        if not shown("ExceptionCase", "comments", info.context.principal.role):
            return None
        found = await info.context.case_comments.load(self.key)
        return [CaseComment.of(comment) for comment in found]

    @strawberry.field
    async def purchase_order(self, info: Info) -> PurchaseOrder | None:
        """The order the case concerns, directly or through its receipt or invoice: the
        orders of every case on the page are read together."""
        context = info.context
        found = await context.case_orders.load((self.key, self.document))
        return PurchaseOrder.of(found, context.principal.role, _asked(info)) if found else None

    @classmethod
    def of(cls, v: rm.ExceptionView, role: Role) -> ExceptionCase:
        return redacted(cls(
            key=v.key, category=CaseCategory(v.category), document=v.document,
            supplier=v.supplier, owner_role=OwnerRole(v.owner_role), owner=v.owner,
            status=CaseStatus(v.status), reason=v.reason,
            opened_at=v.opened_at, due_at=v.due_at,
            comment_count=v.comment_count,
        ), role)  # fmt: skip


def _asked(info: Info) -> frozenset[str] | None:
    """The fields selected under this one, by name; None (everything) when a fragment is
    among them, which this does not follow."""
    names: set[str] = set()
    for field in info.selected_fields:
        for selection in field.selections:
            if not isinstance(selection, SelectedField):
                return None
            names.add(selection.name)
    return frozenset(names)


@strawberry.type
class ExceptionCasePage:
    items: list[ExceptionCase]
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool
    counting: strawberry.Private[Callable[[], int] | None] = None

    @strawberry.field
    async def total_count(self) -> int | None:
        """How many cases the filters hold over every page (one count in the store); null
        for suppliers and when filtered by plant (which is read through the orders)."""
        return None if self.counting is None else await run_in_threadpool(self.counting)


@strawberry.type
class SupplierKpis:
    supplier: str
    plant: str
    ack_latency_median_hours: float | None
    ack_latency_p90_hours: float | None
    ack_within_sla_share: float | None
    asn_on_time_share: float | None
    asn_completeness_share: float | None
    receipt_variance_rate: float | None
    invoice_exception_rate: float | None
    touchless_invoice_rate: float | None

    @classmethod
    def of(cls, v: rm.SupplierKpis, role: Role) -> SupplierKpis:
        return redacted(cls(
            supplier=v.supplier, plant=v.plant,
            ack_latency_median_hours=v.ack_latency_median_hours,
            ack_latency_p90_hours=v.ack_latency_p90_hours,
            ack_within_sla_share=v.ack_within_sla_share, asn_on_time_share=v.asn_on_time_share,
            asn_completeness_share=v.asn_completeness_share,
            receipt_variance_rate=v.receipt_variance_rate,
            invoice_exception_rate=v.invoice_exception_rate,
            touchless_invoice_rate=v.touchless_invoice_rate,
        ), role)  # fmt: skip
