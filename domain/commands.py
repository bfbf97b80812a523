"""The canonical commands: what ERP connectors, portals and EDI translators may ask the hub.

Plain frozen dataclasses of primitives and value objects, so every edge (REST, GraphQL,
NATS, EDI translators) builds the same thing and the application validates it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, get_args

from domain.acknowledgement import AckStatus
from domain.goods_receipt import ReceiptLine
from domain.invoice import InvoiceLine
from domain.limits import (
    MAX_LINES,
    MAX_REFERENCES,
    CaseKey,
    Code,
    Comment,
    CurrencyCode,
    Day,
    Days,
    Description,
    DocumentNumber,
    Hours,
    LineNumber,
    Moment,
    Name,
    Note,
    PartyId,
    Percent,
    Price,
    Quantity,
    QuantityOrZero,
    Reference,
    Revision,
    forbid_unknown_fields,
)
from domain.order_line import OrderLine, ScheduleLine
from domain.shipment import AsnOrder
from domain.supplier import ChannelId

# --- master data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UpsertSupplier:
    supplier: PartyId
    name: Name
    erp_id: PartyId = ""
    channel_ids: Annotated[tuple[ChannelId, ...], MAX_REFERENCES] = ()
    status: Code = "active"


@dataclass(frozen=True)
class SetTolerancePolicy:
    supplier: PartyId
    quantity_pct: Percent
    days_early: Days
    days_late: Days
    price_pct: Percent


# --- purchase orders (ERP) -----------------------------------------------------------------


@dataclass(frozen=True)
class ReleasePurchaseOrder:
    po_number: DocumentNumber
    supplier: PartyId
    currency: CurrencyCode
    lines: Annotated[tuple[OrderLine, ...], MAX_LINES]


@dataclass(frozen=True)
class RevisePurchaseOrder:
    po_number: DocumentNumber
    revision: Revision
    lines: Annotated[tuple[OrderLine, ...], MAX_LINES]


@dataclass(frozen=True)
class CancelPurchaseOrder:
    po_number: DocumentNumber
    reason: Note = ""


@dataclass(frozen=True)
class ClosePurchaseOrder:
    po_number: DocumentNumber


# --- supplier answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineAnswer:
    """One line of an acknowledgement: the canonical status, which the edge translated from the
    channel's own code with that channel's table, and that code, kept for lineage."""

    line_number: LineNumber
    status: AckStatus
    source_code: Code
    confirmed_quantity: QuantityOrZero | None = None
    confirmed_date: Day | None = None
    confirmed_price: Price | None = None
    note: Note = ""


@dataclass(frozen=True)
class AcknowledgePurchaseOrder:
    po_number: DocumentNumber
    revision: Revision
    lines: Annotated[tuple[LineAnswer, ...], MAX_LINES]


@dataclass(frozen=True)
class ProposeChange:
    po_number: DocumentNumber
    revision: Revision
    line_number: LineNumber
    proposal_id: DocumentNumber
    quantity: Quantity | None = None
    need_by: Day | None = None
    splits: Annotated[tuple[ScheduleLine, ...], MAX_LINES] = ()
    reason: Note = ""


@dataclass(frozen=True)
class ApproveChange:
    po_number: DocumentNumber
    proposal_id: DocumentNumber


@dataclass(frozen=True)
class RejectChange:
    po_number: DocumentNumber
    proposal_id: DocumentNumber
    reason: Note


# --- shipments and receipts ----------------------------------------------------------------


@dataclass(frozen=True)
class SubmitShipNotice:
    supplier: PartyId
    asn_number: DocumentNumber
    ship_date: Day
    expected_delivery: Day
    orders: Annotated[tuple[AsnOrder, ...], MAX_LINES]
    carrier: Reference = ""
    tracking_number: Reference = ""


@dataclass(frozen=True)
class RecordShipmentMilestone:
    supplier: PartyId
    asn_number: DocumentNumber
    milestone: Code
    eta: Moment | None = None
    note: Note = ""


@dataclass(frozen=True)
class CancelShipNotice:
    supplier: PartyId
    asn_number: DocumentNumber
    reason: Note = ""
    replaced_by: DocumentNumber = ""


@dataclass(frozen=True)
class PostGoodsReceipt:
    receipt_number: DocumentNumber
    po_number: DocumentNumber
    received_on: Day
    lines: Annotated[tuple[ReceiptLine, ...], MAX_LINES]
    asn_number: DocumentNumber = ""


# --- invoices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitInvoice:
    supplier: PartyId
    invoice_number: DocumentNumber
    po_number: DocumentNumber
    currency: CurrencyCode
    invoice_date: Day
    lines: Annotated[tuple[InvoiceLine, ...], MAX_LINES]


@dataclass(frozen=True)
class ApproveInvoice:
    supplier: PartyId
    invoice_number: DocumentNumber


@dataclass(frozen=True)
class PayInvoice:
    supplier: PartyId
    invoice_number: DocumentNumber
    payment_reference: DocumentNumber
    paid_on: Day


@dataclass(frozen=True)
class DisputeInvoice:
    supplier: PartyId
    invoice_number: DocumentNumber
    reason: Note


@dataclass(frozen=True)
class ReportErpInvoiceStatus:
    supplier: PartyId
    invoice_number: DocumentNumber
    status: Code
    reason: Note = ""


@dataclass(frozen=True)
class RecordErpRefusal:
    """The ERP refused a write-back (a locked record, a field not writable in this state):
    a case for the buyer with the ERP's own message, instead of retrying for ever."""

    po_number: DocumentNumber
    action: Code
    message: Note


@dataclass(frozen=True)
class RecordFunctionalAckProblem:
    """An order document sent to an EDI partner (``document``: e.g. ``850 12``) was not
    functionally acknowledged in time (``problem`` ``overdue``) or its 997 / CONTRL rejected
    it (``rejected``): a case for the buyer, since the supplier may never have read the PO."""

    po_number: DocumentNumber
    document: Reference
    problem: Code
    detail: Note


# --- quality and exceptions ----------------------------------------------------------------


@dataclass(frozen=True)
class PlaceQualityHold:
    hold_id: DocumentNumber
    receipt_number: DocumentNumber
    reason: Note
    lot: Reference = ""
    certificate_ref: Reference = ""


@dataclass(frozen=True)
class RequestCorrectiveAction:
    hold_id: DocumentNumber
    description: Note


@dataclass(frozen=True)
class ReleaseQualityHold:
    hold_id: DocumentNumber
    note: Note = ""


@dataclass(frozen=True)
class AssignException:
    key: CaseKey
    owner: Name


@dataclass(frozen=True)
class ResolveException:
    key: CaseKey
    resolution: Note


@dataclass(frozen=True)
class CommentOnException:
    """Say something about a case, open or resolved: who and when are in the provenance."""

    key: CaseKey
    text: Comment


# --- the supplier portal (recorded by the API as a supplier opens an order: never a channel's)


@dataclass(frozen=True)
class RecordPortalView:
    """The supplier's user opened the order, at this revision, in the portal."""

    po_number: DocumentNumber
    revision: Revision


# --- alert routing (an admin's configuration: never a channel's) -------------------------


@dataclass(frozen=True)
class DefineAlertRule:
    """Send the exception cases that match to a webhook or e-mail addresses (a new rule, or
    new terms for the rule of this name)."""

    name: Code
    trigger: Code  # opened | open_longer | sla_breached
    destination: Code  # webhook | email
    target: Description  # the URL, or addresses separated by commas
    open_hours: Hours = 0
    category: Code = ""
    supplier: PartyId = ""
    plant: PartyId = ""
    reason: Description = ""  # why (recorded with who)


@dataclass(frozen=True)
class RemoveAlertRule:
    name: Code
    reason: Description = ""


@dataclass(frozen=True)
class DisableAlertRule:
    """Keep the rule, listed, but send nothing by it until it is enabled again."""

    name: Code
    reason: Description = ""


@dataclass(frozen=True)
class EnableAlertRule:
    name: Code
    reason: Description = ""


Command = (
    UpsertSupplier | SetTolerancePolicy | ReleasePurchaseOrder | RevisePurchaseOrder
    | CancelPurchaseOrder | ClosePurchaseOrder | AcknowledgePurchaseOrder | ProposeChange
    | ApproveChange | RejectChange | SubmitShipNotice | RecordShipmentMilestone
    | CancelShipNotice | PostGoodsReceipt | SubmitInvoice | ApproveInvoice | PayInvoice
    | DisputeInvoice | ReportErpInvoiceStatus | PlaceQualityHold | RequestCorrectiveAction
    | ReleaseQualityHold | AssignException | ResolveException | RecordErpRefusal
    | RecordFunctionalAckProblem | DefineAlertRule | RemoveAlertRule | DisableAlertRule
    | EnableAlertRule | CommentOnException | RecordPortalView
)  # fmt: skip


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# Alert rules are an admin's, through their own route and the CLI, never a channel's message.
ADMIN_COMMANDS: tuple[type[Command], ...] = (
    DefineAlertRule, RemoveAlertRule, DisableAlertRule, EnableAlertRule
)  # fmt: skip

# What the API records itself as a supplier reads: no channel sends it.
PORTAL_COMMANDS: tuple[type[Command], ...] = (RecordPortalView,)

# Wire names ("release_purchase_order") used by REST bulk items and NATS subjects.
COMMANDS: dict[str, type[Command]] = {
    _snake(cls.__name__): cls
    for cls in get_args(Command)
    if cls not in ADMIN_COMMANDS and cls not in PORTAL_COMMANDS
}
forbid_unknown_fields(*COMMANDS.values(), *ADMIN_COMMANDS, *PORTAL_COMMANDS)
