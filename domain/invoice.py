"""A supplier invoice: submitted, three-way matched, then approved, paid or disputed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, require
from domain.identity import document_id
from domain.limits import LineNumber, Price, Quantity
from domain.order_line import LineQuantity, require_named_once
from domain.provenance import Provenance
from domain.purchase_order import PurchaseOrder
from domain.tolerance import TolerancePolicy

_T = "supplyhub:Invoice"

ERP_STATES = ("matched", "blocked", "approved", "paid")


@dataclass(frozen=True)
class InvoiceLine:
    line_number: LineNumber
    quantity: Quantity
    unit_price: Price


@dataclass(frozen=True)
class MatchFinding:
    """Why a line does not match: `rule` is price, ordered_quantity, received_quantity
    or currency (line 0 is the header)."""

    line_number: int
    rule: str
    detail: str


def three_way_match(
    currency: str, lines: tuple[InvoiceLine, ...], po: PurchaseOrder, policy: TolerancePolicy
) -> tuple[MatchFinding, ...]:
    """Invoice against PO price and quantity and against the quantity received."""
    findings: list[MatchFinding] = []
    if currency != po.currency:
        findings.append(MatchFinding(0, "currency", f"{currency} invoiced, {po.currency} ordered"))
    for line in lines:
        ordered = po.line(line.line_number)
        if breach := policy.price_breach(ordered.unit_price, line.unit_price):
            findings.append(MatchFinding(line.line_number, "price", breach))
        billed = po.invoiced.get(line.line_number, Decimal(0)) + line.quantity
        if breach := policy.quantity_breach(ordered.quantity, max(billed, ordered.quantity)):
            findings.append(MatchFinding(line.line_number, "ordered_quantity", breach))
        received = po.received.get(line.line_number, Decimal(0))
        if billed > received:
            detail = f"{billed} invoiced in all, {received} received"
            findings.append(MatchFinding(line.line_number, "received_quantity", detail))
    return tuple(findings)


class Invoice(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(supplier: str, invoice_number: str) -> UUID:
        return document_id("invoice", f"{supplier}:{invoice_number}")

    @classmethod
    def submit(
        cls,
        invoice_number: str,
        supplier: str,
        po_number: str,
        currency: str,
        invoice_date: date,
        lines: tuple[InvoiceLine, ...],
        provenance: Provenance,
    ) -> Invoice:
        require(bool(invoice_number.strip()), "invoice_number", "must not be empty")
        require(len(lines) > 0, "lines", "at least one line is required")
        require_named_once((line.line_number for line in lines), "lines")
        for index, line in enumerate(lines):
            require(line.quantity > 0, f"lines[{index}].quantity", "must be greater than 0")
            require(line.unit_price >= 0, f"lines[{index}].unit_price", "must not be negative")
        return cls(invoice_number, supplier, po_number, currency, invoice_date, lines, provenance)

    @event("Submitted", topic=f"{_T}.Submitted")
    def __init__(
        self,
        invoice_number: str,
        supplier: str,
        po_number: str,
        currency: str,
        invoice_date: date,
        lines: tuple[InvoiceLine, ...],
        provenance: Provenance,
    ) -> None:
        self.invoice_number = invoice_number
        self.supplier = supplier
        self.po_number = po_number
        self.currency = currency
        self.lines = tuple(lines)
        self.status = "submitted"
        self.message_id = provenance.message_id

    def quantities(self) -> tuple[LineQuantity, ...]:
        return tuple(LineQuantity(line.line_number, line.quantity) for line in self.lines)

    def match(self, findings: tuple[MatchFinding, ...], provenance: Provenance) -> None:
        if findings:
            self._blocked(findings, provenance)
        else:
            self._matched(provenance)

    @event("Matched", topic=f"{_T}.Matched")
    def _matched(self, provenance: Provenance) -> None:
        self.status = "matched"

    @event("Blocked", topic=f"{_T}.Blocked")
    def _blocked(self, findings: tuple[MatchFinding, ...], provenance: Provenance) -> None:
        self.status = "blocked"

    def record_duplicate(self, provenance: Provenance) -> None:
        """Another message claims the same supplier and invoice number."""
        self._duplicate_submitted(provenance)

    @event("DuplicateSubmitted", topic=f"{_T}.DuplicateSubmitted")
    def _duplicate_submitted(self, provenance: Provenance) -> None:
        pass

    def approve(self, provenance: Provenance) -> None:
        self._require_status("matched", "blocked", "disputed")
        self._approved(provenance)

    @event("Approved", topic=f"{_T}.Approved")
    def _approved(self, provenance: Provenance) -> None:
        self.status = "approved"

    def pay(self, payment_reference: str, paid_on: date, provenance: Provenance) -> None:
        self._require_status("approved", "matched")
        self._paid(payment_reference, paid_on, provenance)

    @event("Paid", topic=f"{_T}.Paid")
    def _paid(self, payment_reference: str, paid_on: date, provenance: Provenance) -> None:
        self.status = "paid"

    def dispute(self, reason: str, provenance: Provenance) -> None:
        require(bool(reason.strip()), "reason", "a dispute must say why")
        self._require_status("submitted", "matched", "blocked", "approved")
        self._disputed(reason, provenance)

    @event("Disputed", topic=f"{_T}.Disputed")
    def _disputed(self, reason: str, provenance: Provenance) -> None:
        self.status = "disputed"

    def report_erp_status(self, status: str, reason: str, provenance: Provenance) -> None:
        """The ERP's own match or payment state; the ERP is the system of record for AP."""
        require(status in ERP_STATES, "status", f"must be one of {', '.join(ERP_STATES)}")
        self._erp_status_reported(status, reason, provenance)

    @event("ErpStatusReported", topic=f"{_T}.ErpStatusReported")
    def _erp_status_reported(self, status: str, reason: str, provenance: Provenance) -> None:
        self.status = status

    def _require_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise ConflictError(f"invoice {self.invoice_number} is {self.status}")
