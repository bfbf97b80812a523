"""OpenAPI examples an ERP developer can paste into curl."""

from __future__ import annotations

from typing import Any

_LINES = [
    {"line_number": 10, "item": "BRKT-1001", "description": "Mounting bracket", "quantity": "120",
     "uom": "EA", "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"},
    {"line_number": 20, "item": "GEAR-2040", "quantity": "40", "uom": "EA",
     "unit_price": "18.20", "need_by": "2026-12-03", "ship_to": "PLANT-DE01"},
]  # fmt: skip

RELEASE: dict[str, Any] = {
    "release": {
        "summary": "A two-line PO for Acme",
        "value": {"po_number": "4500000101", "supplier": "SUP-ACME", "currency": "EUR",
                  "lines": _LINES},
    }
}  # fmt: skip

REVISE: dict[str, Any] = {
    "revise": {
        "summary": "Revision 2: line 20 quantity raised",
        "value": {"revision": 2, "lines": [_LINES[0], {**_LINES[1], "quantity": "60"}]},
    }
}

RECEIPT: dict[str, Any] = {
    "receipt": {
        "summary": "A receipt against an ASN, short by 5 on line 10",
        "value": {"receipt_number": "GR-900001", "po_number": "4500000101",
                  "received_on": "2026-12-02", "asn_number": "ASN-77001",
                  "lines": [{"line_number": 10, "accepted": "115", "rejected": "0",
                             "lot": "LOT-A1"}]},
    }
}  # fmt: skip

ERP_STATUS: dict[str, Any] = {
    "blocked": {"summary": "AP blocked it", "value": {"status": "blocked", "reason": "price"}},
    "paid": {"summary": "Paid in the ERP", "value": {"status": "paid"}},
}

PAYMENT: dict[str, Any] = {
    "payment": {"value": {"payment_reference": "PAY-2026-11-0042", "paid_on": "2026-12-20"}}
}

SUPPLIER: dict[str, Any] = {
    "supplier": {
        "value": {"name": "Acme Precision GmbH", "erp_id": "V0001", "status": "active",
                  "channel_ids": [{"channel": "x12", "partner_id": "ACMEPREC"}]},
    }
}  # fmt: skip

BULK: dict[str, Any] = {
    "bulk": {
        "summary": "A supplier and a PO in one request",
        "value": {"items": [
            {"command": "upsert_supplier", "message_id": "erp-77-1",
             "body": {"supplier": "SUP-ACME", "name": "Acme Precision GmbH"}},
            {"command": "release_purchase_order", "message_id": "erp-77-2",
             "body": RELEASE["release"]["value"]},
        ]},
    }
}  # fmt: skip
