"""InvoiceDetailRequest -> SubmitInvoice.

``InvoiceDetailRequestHeader@invoiceID`` is the invoice number, ``@invoiceDate`` its date;
one ``InvoiceDetailOrder`` per purchase order (``OrderReference@orderID``, or, as Coupa
writes it, the order's ``DocumentReference@payloadID``; our own OrderRequest's payloadID
names its PO). Each ``InvoiceDetailItem`` (or ``InvoiceDetailServiceItem``) a line: the PO line
its ``...ItemReference@lineNumber``, ``@quantity``, ``UnitPrice/Money`` (its currency the
invoice's). Tax, shipping and special handling are the supplier's figures; the hub matches
lines, so they are read for their currency only.

Refused with a reason: a line backed by no purchase order (``MasterAgreementReference``,
``MasterAgreementIDInfo`` or no order reference: the three-way match needs a PO), a header
invoice without lines, several orders in one invoice, credit memos, and cancellations.
"""

from __future__ import annotations

from connectors.cxml.node import Node
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.commands import Command, SubmitInvoice
from domain.invoice import InvoiceLine
from domain.limits import CurrencyCode, DocumentNumber

_ITEMS = ("InvoiceDetailItem", "InvoiceDetailServiceItem")


def translate_invoice(request: Node, profile: PartnerProfile) -> tuple[Command, ...]:
    header = request.child("InvoiceDetailRequestHeader")
    purpose = header.attr("purpose") or "standard"
    if purpose != "standard":
        raise header.fail(f"{purpose!r}: the hub takes standard invoices only", "purpose")
    if header.attr("operation") == "delete":
        raise header.fail("a cancelled invoice is not taken: dispute it in the portal", "operation")
    number = header.document_number("invoiceID")
    invoice_date = header.day("invoiceDate")
    orders = list(request.children("InvoiceDetailOrder"))
    if not orders:
        raise request.fail(
            "no InvoiceDetailOrder: a header invoice without lines is not matched by the hub"
        )
    po_numbers = [_po_number(order) for order in orders]
    if len(set(po_numbers)) > 1:
        raise orders[1].fail(
            f"invoices {po_numbers[1]!r} beside {po_numbers[0]!r}: one invoice per purchase order"
        )
    currencies: set[str] = set()
    lines: list[InvoiceLine] = []
    for order in orders:
        for tag in _ITEMS:
            for item in order.children(tag):
                line, currency = _line(item, profile)
                lines.append(line)
                currencies.add(currency)
    if not lines:
        raise orders[0].fail("has no InvoiceDetailItem: nothing to match")
    if len(currencies) > 1:
        raise request.fail(f"lines in several currencies ({', '.join(sorted(currencies))})")
    (currency,) = currencies
    currency = header.within(currency, CurrencyCode)
    invoice = SubmitInvoice(
        profile.supplier, number, po_numbers[0], currency, invoice_date, tuple(lines)
    )
    return (invoice,)


def _po_number(order: Node) -> str:
    info = order.child("InvoiceDetailOrderInfo")
    reference = info.optional("OrderReference")
    if reference is None:
        ids = info.optional("OrderIDInfo")
        if ids is not None:
            return ids.document_number("orderID")
        backing = next((tag for tag in ("MasterAgreementReference", "MasterAgreementIDInfo")
                        if info.optional(tag) is not None), "no order reference")  # fmt: skip
        raise info.fail(
            f"a non-PO line ({backing}): the hub matches invoices to purchase orders only"
        )
    if reference.attr("orderID"):
        return reference.document_number("orderID")
    document = reference.child("DocumentReference")
    payload_id = document.required("payloadID")
    parts = payload_id.split(":")
    if len(parts) >= 3 and parts[0] == "supplyhub":
        return document.within(parts[1], DocumentNumber, "payloadID")
    return document.within(payload_id, DocumentNumber, "payloadID")


def _line(item: Node, profile: PartnerProfile) -> tuple[InvoiceLine, str]:
    reference = item.child(f"{item.tag}Reference")
    line_number = reference.line_number("lineNumber")
    quantity = item.quantity("quantity")
    unit = item.optional("UnitOfMeasure")
    if unit is not None:
        try:
            profile.unit(unit.text())
        except UnknownMappingError as error:
            rule = f"{unit.text()!r} is not in the partner's {error.table} table"
            raise unit.fail(rule) from None
    price, currency = item.child("UnitPrice").money()
    return InvoiceLine(line_number, quantity, price), currency
