"""The canonical commands: what ERP connectors, portals and EDI translators may ask the hub.

Plain frozen dataclasses of primitives and value objects, so every edge (REST, GraphQL,
NATS, EDI translators) builds the same thing and the application validates it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import get_args

from domain.goods_receipt import ReceiptLine
from domain.invoice import InvoiceLine
from domain.order_line import OrderLine, ScheduleLine
from domain.shipment import AsnOrder
from domain.supplier import ChannelId

# --- master data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UpsertSupplier:
    supplier: str
    name: str
    erp_id: str = ""
    channel_ids: tuple[ChannelId, ...] = ()
    status: str = "active"


@dataclass(frozen=True)
class SetTolerancePolicy:
    supplier: str
    quantity_pct: Decimal
    days_early: int
    days_late: int
    price_pct: Decimal


# --- purchase orders (ERP) -----------------------------------------------------------------


@dataclass(frozen=True)
class ReleasePurchaseOrder:
    po_number: str
    supplier: str
    currency: str
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class RevisePurchaseOrder:
    po_number: str
    revision: int
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class CancelPurchaseOrder:
    po_number: str
    reason: str = ""


@dataclass(frozen=True)
class ClosePurchaseOrder:
    po_number: str


# --- supplier answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineAnswer:
    """One line of an acknowledgement, in the channel's own status code."""

    line_number: int
    code: str
    confirmed_quantity: Decimal | None = None
    confirmed_date: date | None = None
    confirmed_price: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class AcknowledgePurchaseOrder:
    po_number: str
    revision: int
    lines: tuple[LineAnswer, ...]


@dataclass(frozen=True)
class ProposeChange:
    po_number: str
    revision: int
    line_number: int
    proposal_id: str
    quantity: Decimal | None = None
    need_by: date | None = None
    splits: tuple[ScheduleLine, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ApproveChange:
    po_number: str
    proposal_id: str


@dataclass(frozen=True)
class RejectChange:
    po_number: str
    proposal_id: str
    reason: str


# --- shipments and receipts ----------------------------------------------------------------


@dataclass(frozen=True)
class SubmitShipNotice:
    supplier: str
    asn_number: str
    ship_date: date
    expected_delivery: date
    orders: tuple[AsnOrder, ...]
    carrier: str = ""
    tracking_number: str = ""


@dataclass(frozen=True)
class RecordShipmentMilestone:
    supplier: str
    asn_number: str
    milestone: str
    eta: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class CancelShipNotice:
    supplier: str
    asn_number: str
    reason: str = ""
    replaced_by: str = ""


@dataclass(frozen=True)
class PostGoodsReceipt:
    receipt_number: str
    po_number: str
    received_on: date
    lines: tuple[ReceiptLine, ...]
    asn_number: str = ""


# --- invoices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitInvoice:
    supplier: str
    invoice_number: str
    po_number: str
    currency: str
    invoice_date: date
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True)
class ApproveInvoice:
    supplier: str
    invoice_number: str


@dataclass(frozen=True)
class PayInvoice:
    supplier: str
    invoice_number: str
    payment_reference: str
    paid_on: date


@dataclass(frozen=True)
class DisputeInvoice:
    supplier: str
    invoice_number: str
    reason: str


@dataclass(frozen=True)
class ReportErpInvoiceStatus:
    supplier: str
    invoice_number: str
    status: str
    reason: str = ""


# --- quality and exceptions ----------------------------------------------------------------


@dataclass(frozen=True)
class PlaceQualityHold:
    hold_id: str
    receipt_number: str
    reason: str
    lot: str = ""
    certificate_ref: str = ""


@dataclass(frozen=True)
class RequestCorrectiveAction:
    hold_id: str
    description: str


@dataclass(frozen=True)
class ReleaseQualityHold:
    hold_id: str
    note: str = ""


@dataclass(frozen=True)
class AssignException:
    key: str
    owner: str


@dataclass(frozen=True)
class ResolveException:
    key: str
    resolution: str


Command = (
    UpsertSupplier | SetTolerancePolicy | ReleasePurchaseOrder | RevisePurchaseOrder
    | CancelPurchaseOrder | ClosePurchaseOrder | AcknowledgePurchaseOrder | ProposeChange
    | ApproveChange | RejectChange | SubmitShipNotice | RecordShipmentMilestone
    | CancelShipNotice | PostGoodsReceipt | SubmitInvoice | ApproveInvoice | PayInvoice
    | DisputeInvoice | ReportErpInvoiceStatus | PlaceQualityHold | RequestCorrectiveAction
    | ReleaseQualityHold | AssignException | ResolveException
)  # fmt: skip


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# Wire names ("release_purchase_order") used by REST bulk items and NATS subjects.
COMMANDS: dict[str, type[Command]] = {_snake(cls.__name__): cls for cls in get_args(Command)}
