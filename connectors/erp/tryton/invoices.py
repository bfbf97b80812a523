"""Supplier-invoice states from Tryton: a supplier invoice (`account.invoice`, type `in`)
posted or paid in Tryton becomes the hub's ERP state of the supplier's invoice
(`ReportErpInvoiceStatus`), idempotent by the Tryton invoice and its state.

Tryton is AP's system of record: `posted` (booked as payable) is the hub's `approved`,
`paid` (reconciled) its `paid`. The hub's invoice is the one the supplier submitted: the
Tryton invoice's `reference` (the supplier's invoice number, which the buyer types in, or
a UBL/CII import fills) and its party's code (the hub's supplier). An invoice the hub does
not hold (entered only in Tryton, or no reference) is not the hub's to report: it is
skipped, named in the report, and the window does not wait for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from connectors.erp.hub import Clock, apply
from connectors.erp.seam import ErpDataError, ErpMessage
from connectors.erp.tryton.reader import (
    LOOKBACK,
    Key,
    TrytonCursor,
    advanced,
    search_all,
    stamp,
    window,
)
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.translate import _text
from domain import limits
from domain.application import SupplyHub
from domain.commands import ReportErpInvoiceStatus
from domain.errors import DomainError, NotFoundError

INVOICE: Final = "account.invoice"
INVOICE_FIELDS: Final = (
    "number", "reference", "state", "party.code", "write_date", "create_date",
)  # fmt: skip
# Tryton's invoice state -> the hub's ERP state of the invoice (domain/invoice.py ERP_STATES).
STATES: Final = {"posted": "approved", "paid": "paid"}


@dataclass(frozen=True)
class InvoiceReport:
    cursor: TrytonCursor
    changed: Sequence[str] = ()
    failed: Sequence[str] = ()  # invoices the hub refused (read again)
    skipped: Sequence[str] = ()  # invoices the hub does not hold (not read again)


def invoice_message(invoice: dict[str, Any], database: str) -> ErpMessage | None:
    """Pure: one supplier invoice in a state the hub reports -> its ERP state; None for a
    state it does not (draft, validated, cancelled)."""
    status = STATES.get(invoice.get("state", ""))
    if status is None:
        return None
    invoice_id = invoice["id"]
    party = invoice.get("party.") or {}
    supplier = _text(INVOICE, invoice_id, "party.code", party.get("code"), limits.PartyId)
    number = _text(
        INVOICE, invoice_id, "reference", invoice.get("reference"), limits.DocumentNumber
    )
    reason = f"{invoice['state']} in Tryton as invoice {invoice.get('number') or invoice_id}"
    return ErpMessage(
        ReportErpInvoiceStatus(supplier, number, status, reason),
        f"tryton:{database}:invoice:{invoice_id}:{invoice['state']}",
        f"tryton:{database}:{INVOICE},{invoice_id}@{stamp(invoice).isoformat()}",
    )


def pull_invoices(
    client: TrytonClient,
    hub: SupplyHub,
    cursor: TrytonCursor,
    actor: str,
    clock: Clock,
    lookback: timedelta = LOOKBACK,
) -> InvoiceReport:
    """Supplier invoices posted or paid since the cursor into the hub."""
    domain: list[Any] = [["type", "=", "in"], ["state", "in", sorted(STATES)]]
    found = search_all(client, INVOICE, domain + window(cursor, lookback), INVOICE_FIELDS)
    done: list[Key] = []
    held = []
    changed: list[str] = []
    failed: list[str] = []
    skipped: list[str] = []
    for invoice in sorted(found, key=stamp):
        key = (INVOICE, invoice["id"], stamp(invoice))
        if key in cursor.seen:
            continue
        try:
            message = invoice_message(invoice, client.database)
            outcomes = apply(hub, [message] if message else [], actor, clock)
        except (ErpDataError, NotFoundError) as unknown:
            skipped.append(f"{INVOICE},{invoice['id']}: {unknown}")
        except DomainError as refused:
            held.append(key[2])
            failed.append(f"{INVOICE},{invoice['id']}: {refused}")
            continue
        else:
            changed += [o.document for o in outcomes if not o.replayed]
        done.append(key)
    return InvoiceReport(advanced(cursor, done, held, lookback), changed, failed, skipped)
