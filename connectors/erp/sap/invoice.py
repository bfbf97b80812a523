"""Matched supplier invoices into SAP through the supplier-invoice service
(`API_SUPPLIERINVOICE_PROCESS_SRV`, `A_SupplierInvoice` with its items by purchase order),
not an INVOIC IDoc: the service answers with the document it posted or SAP's error at once,
and it can be asked first whether the invoice is already there, which an IDoc cannot.

Idempotent by SAP's own key for a supplier's invoice: the invoicing party and its reference
(`SupplierInvoiceIDByInvcgParty`, the supplier's invoice number). SAP's duplicate check is
configuration, and mock-sap has none, so the adapter asks first and posts only when SAP does
not hold it. The PO is read first as well: its company code and supplier are what SAP posts
under, and a PO SAP does not hold, or an item it does not have, is a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from connectors.erp.sap import translate as tr
from connectors.erp.sap.odata import SapClient, SapRefusedError
from connectors.erp.seam import ErpRefusedError, SupplierInvoice

SERVICE: Final = "API_SUPPLIERINVOICE_PROCESS_SRV"
PURCHASE_ORDERS: Final = "API_PURCHASEORDER_PROCESS_SRV"
MAX_REFERENCE: Final = 16  # XBLNR, the reference SAP keeps the supplier's number in


class SapInvoicePosting:
    """`ErpInvoicePosting` for one SAP system."""

    def __init__(self, client: SapClient) -> None:
        self.client = client

    def post_invoice(self, invoice: SupplierInvoice) -> str:
        if len(invoice.invoice_number) > MAX_REFERENCE:
            raise ErpRefusedError(
                f"SAP keeps a supplier's invoice number in {MAX_REFERENCE} characters; "
                f"{invoice.invoice_number!r} has {len(invoice.invoice_number)}"
            )
        try:
            order = self.client.entity(
                PURCHASE_ORDERS, f"A_PurchaseOrder('{_quoted(invoice.po_number)}')",
                {"$expand": "to_PurchaseOrderItem"},
            ).data  # fmt: skip
            party = str(order.get("Supplier") or "")
            if found := self._posted(party, invoice.invoice_number):
                return f"already posted {found}"
            posted = self.client.create(SERVICE, "A_SupplierInvoice", body(invoice, order))
        except SapRefusedError as refused:
            raise ErpRefusedError(f"SAP: {refused}") from None
        return f"posted {posted.get('SupplierInvoice')}/{posted.get('FiscalYear')}"

    def _posted(self, party: str, reference: str) -> str | None:
        query = (f"InvoicingParty eq '{_quoted(party)}' and "
                 f"SupplierInvoiceIDByInvcgParty eq '{_quoted(reference)}'")  # fmt: skip
        params = {"$filter": query, "$select": "SupplierInvoice,FiscalYear"}
        for found in self.client.collection(SERVICE, "A_SupplierInvoice", params, page_size=1):
            return f"{found.get('SupplierInvoice')}/{found.get('FiscalYear')}"
        return None


def body(invoice: SupplierInvoice, order: Mapping[str, Any]) -> dict[str, Any]:
    """The `A_SupplierInvoice` to post (pure): gross = the items' sum (the hub's invoice
    carries no tax; SAP computes it from the tax code when configured to)."""
    items = {str(i.get("PurchaseOrderItem")): i for i in tr.PurchaseOrderRecord(order).items}
    lines = []
    for item in invoice.items:
        number = f"{item.line_number:05d}"
        if number not in items:
            raise ErpRefusedError(f"{invoice.po_number} has no item {number} in SAP")
        lines.append({
            "PurchaseOrder": invoice.po_number, "PurchaseOrderItem": number,
            "SupplierInvoiceItemAmount": f"{item.amount:.2f}",
            "QuantityInPurchaseOrderUnit": f"{item.quantity:f}",
            "PurchaseOrderQuantityUnit": str(items[number].get("PurchaseOrderQuantityUnit") or ""),
        })  # fmt: skip
    dated = datetime(invoice.invoice_date.year, invoice.invoice_date.month,
                     invoice.invoice_date.day, tzinfo=UTC)  # fmt: skip
    day = f"/Date({int(dated.timestamp()) * 1000})/"
    return {
        "CompanyCode": str(order.get("CompanyCode") or ""),
        "InvoicingParty": str(order.get("Supplier") or ""),
        "SupplierInvoiceIDByInvcgParty": invoice.invoice_number,
        "DocumentDate": day, "PostingDate": day,
        "InvoiceGrossAmount": f"{sum(i.amount for i in invoice.items):.2f}",
        "DocumentCurrency": invoice.currency,
        "to_SuplrInvcItemPurOrdRef": lines,
    }  # fmt: skip


def _quoted(value: str) -> str:
    return value.replace("'", "''")
