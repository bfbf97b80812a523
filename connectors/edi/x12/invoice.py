"""810 Invoice -> SubmitInvoice.

BIG02 is the invoice number, BIG01 its date, BIG04 the PO; CUR02 the currency (the partner's
profile currency without a CUR); each IT1 a line: IT101 the PO line, IT102 quantity, IT103
its unit (through the partner's units table), IT104 the unit price.
"""

from __future__ import annotations

from connectors.edi.errors import Fault
from connectors.edi.translation import Translation, first, places
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.profile import PartnerProfile
from domain.commands import SubmitInvoice
from domain.invoice import InvoiceLine
from domain.limits import CurrencyCode

X12 = "X12"


def translate_810(document: TransactionSet, profile: PartnerProfile) -> Translation:
    rows = list(places(X12, document.segments, document.position))
    big = first(rows, "BIG")
    invoice_date = big.day("BIG01", big.required("BIG01", 1))
    number = big.document_number("BIG02", 2)
    po_number = big.document_number("BIG04", 4)
    currency = profile.currency
    cur = next((row for row in rows if row.segment.tag == "CUR"), None)
    if cur is not None:
        currency = cur.within("CUR02", cur.required("CUR02", 2), CurrencyCode)
    elif not currency:
        raise big.fail("CUR02", "is missing (no CUR) and the partner's profile names no currency",
                       Fault.SEGMENT_MISSING, value="CUR")  # fmt: skip
    lines = []
    for row in rows:
        if row.segment.tag != "IT1":
            continue
        if row.segment.get(3):
            row.mapped("IT103", row.segment.get(3), profile.unit)
        line_number = row.line_number("IT101", 1)
        lines.append(InvoiceLine(line_number, row.quantity("IT102", 2), row.price("IT104", 4)))
    if not lines:
        raise big.fail("IT1", "the invoice has no IT1 line", Fault.SEGMENT_MISSING, value="IT1")
    invoice = SubmitInvoice(
        profile.supplier, number, po_number, currency, invoice_date, tuple(lines)
    )
    return Translation(X12, "810", document.control, document.position, (invoice,))
