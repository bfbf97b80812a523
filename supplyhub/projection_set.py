"""The projections this hub maintains: one list, read by the read side, its rebuilds and the
rebuild parts run in other processes."""

from __future__ import annotations

from projections.projection import Processor
from projections.views.audit_ledger import AuditLedger
from projections.views.audit_trail import audit_trail
from projections.views.case_comments import case_comments
from projections.views.exception_queue import exception_queue
from projections.views.purchase_orders import purchase_orders
from projections.views.supplier_kpis import supplier_kpis


def processors() -> list[Processor]:
    """Every projection the runner maintains, by name."""
    return [
        purchase_orders, exception_queue, audit_trail, AuditLedger(), supplier_kpis,
        case_comments,
    ]  # fmt: skip
