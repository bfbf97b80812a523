"""INVOIC -> SubmitInvoice.

BGM 1004 is the invoice number (BGM C002 1001 380 or 388: a credit note, 381, is not an
invoice the hub matches); DTM 3 (invoice date) or 137 (message date) its date; RFF ON the
PO (the first line's RFF ON without a header one; every line's must agree); CUX C504 6345
the currency (the partner's profile currency without a CUX). Each LIN 1082 a line, QTY 47
(invoiced) its quantity, PRI AAA (net) or INV (invoice price) its unit price.
"""

from __future__ import annotations

from connectors.edi.edifact.fields import EDIFACT, dated, reference, split
from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import Fault
from connectors.edi.translation import Translation, first, places
from connectors.gateway.profile import PartnerProfile
from domain.commands import SubmitInvoice
from domain.invoice import InvoiceLine
from domain.limits import CurrencyCode

_INVOICES = frozenset({"380", "388"})
# 5125 price qualifiers that are the unit price billed: AAA calculation net, INV invoice price.
# AAB (gross) is not: allowances would still come off it.
_PRICES = ("AAA", "INV")


def translate_invoic(document: Message, profile: PartnerProfile) -> Translation:
    rows = list(places(EDIFACT, document.segments, document.position))
    mark = document.syntax.decimal
    bgm = first(rows, "BGM")
    kind = bgm.segment.get(1, 1)
    if kind not in _INVOICES:
        rule = f"{kind!r} is not an invoice (380, 388) the hub matches"
        raise bgm.fail("BGM 1001", rule, Fault.UNSUPPORTED, (1, 1), kind)
    number = bgm.document_number("BGM 1004", 2)
    head, lines = split(rows, "LIN")
    invoice_date = dated(head, "3", "137")
    if invoice_date is None:
        rule = "no DTM 3 (invoice date) nor 137 (message date)"
        raise bgm.fail("DTM 2005", rule, Fault.SEGMENT_MISSING, value="DTM")
    order = reference(head, "ON")
    po_number = order.document_number("RFF 1154", 1, 2) if order else ""
    currency = profile.currency
    for row in head:
        if row.segment.tag == "CUX":
            currency = row.within("CUX 6345", row.required("CUX 6345", 1, 2), CurrencyCode)
    if not currency:
        rule = "is missing (no CUX) and the partner's profile names none"
        raise bgm.fail("CUX 6345", rule, Fault.SEGMENT_MISSING, value="CUX")
    if not lines:
        raise bgm.fail("LIN", "the invoice has no line", Fault.SEGMENT_MISSING, value="LIN")
    invoice_lines = []
    for line in lines:
        lin = line[0]
        line_order = reference(line, "ON")
        if line_order is not None:
            named = line_order.document_number("RFF 1154", 1, 2)
            if po_number and named != po_number:
                rule = f"names {named!r}, the invoice {po_number!r}"
                raise line_order.fail("RFF 1154", rule, at=(1, 2), value=named)
            po_number = named
        quantities = [r for r in line if r.segment.tag == "QTY" and r.segment.get(1, 1) == "47"]
        prices = sorted(
            (r for r in line if r.segment.tag == "PRI" and r.segment.get(1, 1) in _PRICES),
            key=lambda r: _PRICES.index(r.segment.get(1, 1)),
        )
        if not quantities:
            rule = "the line has no QTY 47 (invoiced quantity)"
            raise lin.fail("QTY 6063", rule, Fault.SEGMENT_MISSING, value="QTY")
        if not prices:
            rule = "the line has no PRI AAA (net) nor INV (invoice) price"
            raise lin.fail("PRI 5125", rule, Fault.SEGMENT_MISSING, value="PRI")
        if quantities[0].segment.get(1, 3):
            quantities[0].mapped("QTY 6411", quantities[0].segment.get(1, 3), profile.unit)
        invoice_lines.append(
            InvoiceLine(
                lin.line_number("LIN 1082", 1),
                quantities[0].quantity("QTY 6060", 1, 2, mark),
                prices[0].price("PRI 5118", 1, 2, mark),
            )
        )
    if not po_number:
        rule = "no RFF ON names the order invoiced"
        raise bgm.fail("RFF 1153", rule, Fault.SEGMENT_MISSING, value="RFF")
    invoice = SubmitInvoice(
        profile.supplier, number, po_number, currency, invoice_date, tuple(invoice_lines)
    )
    return Translation(EDIFACT, "INVOIC", document.reference, document.position, (invoice,))
