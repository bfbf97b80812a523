"""A goods receipt posted by the ERP/WMS, and the variances it reveals against ASN and PO."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import require
from domain.identity import document_id
from domain.limits import LineNumber, QuantityOrZero, Reference
from domain.order_line import LineQuantity, require_named_once
from domain.provenance import Provenance

_T = "supplyhub:GoodsReceipt"


@dataclass(frozen=True)
class ReceiptLine:
    line_number: LineNumber
    accepted: QuantityOrZero
    rejected: QuantityOrZero = Decimal(0)
    lot: Reference = ""


@dataclass(frozen=True)
class Variance:
    """Received differs from what was expected: `against` is 'asn' or 'po'."""

    line_number: int
    against: str
    expected: Decimal
    received: Decimal


def find_variances(
    lines: tuple[ReceiptLine, ...],
    shipped: tuple[LineQuantity, ...] | None,
    open_on_po: dict[int, Decimal],
) -> tuple[Variance, ...]:
    found: list[Variance] = []
    if shipped is not None:
        expected = {entry.line_number: entry.quantity for entry in shipped}
        for line in lines:
            total = line.accepted + line.rejected
            if total != expected.get(line.line_number, Decimal(0)):
                found.append(
                    Variance(
                        line.line_number, "asn", expected.get(line.line_number, Decimal(0)), total
                    )
                )
    for line in lines:
        if line.accepted > open_on_po[line.line_number]:
            found.append(
                Variance(line.line_number, "po", open_on_po[line.line_number], line.accepted)
            )
    return tuple(found)


class GoodsReceipt(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    @staticmethod
    def create_id(receipt_number: str) -> UUID:
        return document_id("receipt", receipt_number)

    @classmethod
    def post(
        cls,
        receipt_number: str,
        po_number: str,
        supplier: str,
        asn_number: str,
        received_on: date,
        lines: tuple[ReceiptLine, ...],
        variances: tuple[Variance, ...],
        provenance: Provenance,
    ) -> GoodsReceipt:
        require(bool(receipt_number.strip()), "receipt_number", "must not be empty")
        require(len(lines) > 0, "lines", "at least one line is required")
        require_named_once((line.line_number for line in lines), "lines")
        for index, line in enumerate(lines):
            require(line.accepted >= 0, f"lines[{index}].accepted", "must not be negative")
            require(line.rejected >= 0, f"lines[{index}].rejected", "must not be negative")
            require(line.accepted + line.rejected > 0, f"lines[{index}]", "receives nothing")
        return cls(
            receipt_number, po_number, supplier, asn_number, received_on, lines, variances,
            provenance,
        )  # fmt: skip

    @event("Posted", topic=f"{_T}.Posted")
    def __init__(
        self,
        receipt_number: str,
        po_number: str,
        supplier: str,
        asn_number: str,
        received_on: date,
        lines: tuple[ReceiptLine, ...],
        variances: tuple[Variance, ...],
        provenance: Provenance,
    ) -> None:
        self.receipt_number = receipt_number
        self.po_number = po_number
        self.supplier = supplier
        self.asn_number = asn_number
        self.lines = tuple(lines)
        self.variances = tuple(variances)

    def accepted(self) -> tuple[LineQuantity, ...]:
        return tuple(LineQuantity(line.line_number, line.accepted) for line in self.lines)
