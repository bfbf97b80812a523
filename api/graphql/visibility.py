"""Who sees what through GraphQL: the one table (rendered into docs/api.md) and the one place
that applies it, to objects before either executor (graphql-core or the fast path) writes them.

Roots say which roles may call a field at all; every object field is either shown to every
role that reaches its type, or null for the roles named in `HIDDEN`. Rows are decided here
too: a supplier sees only the cases about its own conduct, phrased for it, and command
outcomes without AP's controls. `tests/api/test_visibility.py` walks the schema by
introspection and proves the table for every role and every field.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from api.auth import INTERNAL, Principal, Role
from domain.exception_case import Category
from domain.outcome import Outcome
from projections.read_models import ExceptionView

T = TypeVar("T")

EVERYONE = frozenset(Role)
PORTAL_USERS = frozenset({Role.SUPPLIER, *INTERNAL})  # not connectors: they feed the hub
WRITERS = frozenset({Role.SUPPLIER, Role.ADMIN})
CASE_WORKERS = frozenset({Role.BUYER, Role.AP, Role.ADMIN})  # the auditor only reads
BUYERS = frozenset({Role.BUYER, Role.ADMIN})  # a change to an order is the buyer's to decide

# Root fields: the roles that may call each (others are refused). A supplier's answers are
# always limited to its own documents.
ROOTS: dict[str, frozenset[Role]] = {
    "Query.purchaseOrders": EVERYONE,
    "Query.purchaseOrder": EVERYONE,
    "Query.exceptions": PORTAL_USERS,
    "Query.exceptionCase": PORTAL_USERS,
    "Query.kpis": PORTAL_USERS,
    "Mutation.acknowledgePurchaseOrder": WRITERS,
    "Mutation.proposeChange": WRITERS,
    "Mutation.submitShipNotice": WRITERS,
    "Mutation.submitInvoice": WRITERS,
    "Mutation.assignException": CASE_WORKERS,
    "Mutation.resolveException": CASE_WORKERS,
    "Mutation.commentOnException": CASE_WORKERS,
    "Mutation.approveChange": BUYERS,
    "Mutation.rejectChange": BUYERS,
    "Subscription.purchaseOrdersNeedingAction": PORTAL_USERS,
    "Subscription.documentTimeline": PORTAL_USERS,
    "Subscription.exceptionQueue": PORTAL_USERS,
}

# Every field of every object type, in schema order: shown to every role that reaches the
# type unless `HIDDEN` names the field.
FIELDS: dict[str, tuple[str, ...]] = {
    "PurchaseOrderPage": ("items", "endCursor", "hasNextPage", "totalCount"),
    "ExceptionCasePage": ("items", "endCursor", "hasNextPage", "totalCount"),
    "PurchaseOrder": (
        "number", "supplier", "currency", "revision", "status", "needsAction",
        "acknowledgedRevision", "releasedAt", "updatedAt", "openExceptions", "lines",
        "revisions", "acknowledgements", "shipments", "receipts", "invoices",
    ),
    "Line": (
        "lineNumber", "item", "description", "uom", "shipTo", "orderedQuantity", "unitPrice",
        "needBy", "ackStatus", "ackSourceCode", "confirmedQuantity", "confirmedDate",
        "shippedQuantity", "receivedQuantity", "invoicedQuantity", "commitment",
    ),
    "Revision": (
        "revision", "recordedAt", "actor", "channel", "linesAdded", "linesRemoved",
        "linesChanged",
    ),
    "Acknowledgement": (
        "revision", "lineNumber", "status", "sourceCode", "channel", "actor", "at", "stale",
    ),
    "Shipment": (
        "asnNumber", "supplier", "status", "milestone", "shipDate", "expectedDelivery",
        "carrier", "trackingNumber", "poNumbers", "quantities",
    ),
    "LineQuantity": ("poNumber", "lineNumber", "quantity"),
    "Receipt": ("receiptNumber", "poNumber", "asnNumber", "receivedOn", "lines", "hasVariance"),
    "ReceiptLine": ("lineNumber", "accepted", "rejected"),
    "Invoice": (
        "invoiceNumber", "supplier", "poNumber", "currency", "invoiceDate", "total", "status",
        "matchStatus", "blockReasons", "duplicateSubmissions",
    ),
    "ExceptionCase": (
        "key", "category", "document", "supplier", "ownerRole", "owner", "status", "reason",
        "openedAt", "dueAt", "commentCount", "comments", "purchaseOrder",
    ),
    "CaseComment": ("at", "actor", "text"),
    "SupplierKpis": (
        "supplier", "plant", "ackLatencyMedianHours", "ackLatencyP90Hours", "ackWithinSlaShare",
        "asnOnTimeShare", "asnCompletenessShare", "receiptVarianceRate",
        "invoiceExceptionRate", "touchlessInvoiceRate",
    ),
    "TimelineEntry": (
        "version", "event", "recordedAt", "actor", "channel", "messageId", "correlationId",
        "causationId", "revision", "payloadRef",
    ),
    "ExceptionQueueChange": ("change", "case"),
    "Accepted": ("status", "document", "revision", "exceptions", "detail", "replayed"),
    "StaleRevision": ("document", "currentRevision", "exceptions", "detail", "replayed"),
    "ToleranceExceeded": ("document", "revision", "exceptions", "detail", "replayed"),
    "InvalidInput": ("field", "rule", "detail", "errors"),
    "FieldError": ("field", "rule"),
    "NotFound": ("kind", "key", "detail"),
    "Conflict": ("code", "detail"),
    "Forbidden": ("detail",),
}  # fmt: skip

SUPPLIERS = frozenset({Role.SUPPLIER})

# Fields that are null for these roles: AP's controls and the manufacturer's own people.
HIDDEN: dict[str, frozenset[Role]] = {
    "PurchaseOrder.openExceptions": SUPPLIERS,  # counts AP's and buyers' cases too
    "Revision.actor": SUPPLIERS,  # the ERP user or connector that revised the order
    "Invoice.matchStatus": SUPPLIERS,
    "Invoice.blockReasons": SUPPLIERS,
    "Invoice.duplicateSubmissions": SUPPLIERS,
    "ExceptionCase.owner": SUPPLIERS,  # the buyer or AP clerk working the case
    "ExceptionCase.commentCount": SUPPLIERS,  # comments are the manufacturer's own talk
    "ExceptionCase.comments": SUPPLIERS,
    "ExceptionCasePage.totalCount": SUPPLIERS,  # counts the cases a supplier may not see
    "TimelineEntry.actor": SUPPLIERS,  # as Revision.actor
    "SupplierKpis.invoiceExceptionRate": SUPPLIERS,  # the three-way match, in aggregate
    "SupplierKpis.touchlessInvoiceRate": SUPPLIERS,
}

# The cases about a supplier's own conduct, each phrased for it. Any other case (a price
# mismatch, a duplicate invoice, anything about an invoice) is AP's: a supplier never sees it.
SUPPLIER_CASES: dict[str, str] = {
    Category.STALE_REVISION: "Your answer named an outdated revision",
    Category.TOLERANCE_BREACH: "Your answer is outside the agreed tolerance; the buyer reviews it",
    Category.LINE_REJECTED: "You rejected lines; the buyer follows up",
    Category.QUANTITY_VARIANCE: "The goods received differ from your ship notice or the order",
    Category.MISSING_ASN: "No ship notice arrived for this delivery",
    Category.QUALITY_HOLD: "Goods you delivered are on quality hold",
    Category.OVER_SHIPMENT: "You shipped more than was ordered",
}
_INTERNAL_LIMIT = re.compile(r" \((?:limit|allowed) [^)]*\)")


def shown(type_name: str, field: str, role: Role) -> bool:
    """The table's answer for one object field (roots: see `may_call`)."""
    return role not in HIDDEN.get(f"{type_name}.{field}", frozenset())


def may_call(root: str, principal: Principal) -> None:
    """Refuses (ForbiddenError) a role the table does not allow at this root field."""
    principal.require(*ROOTS[root])


def _python_name(field: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()


# Per role and type, the python attribute names to null: decided once, read per object.
_NULLED: dict[Role, dict[str, tuple[str, ...]]] = {
    role: {
        type_name: tuple(_python_name(f) for f in fields if not shown(type_name, f, role))
        for type_name, fields in FIELDS.items()
    }
    for role in Role
}


def redacted(obj: T, role: Role) -> T:
    """The object, built from its view, with the fields this role may not see set to null."""
    for name in _NULLED[role].get(type(obj).__name__, ()):
        setattr(obj, name, None)
    return obj


def case_for(case: ExceptionView, role: Role) -> ExceptionView | None:
    """The case as this role sees it: None when a supplier may not see it at all."""
    if role is not Role.SUPPLIER:
        return case
    headline = SUPPLIER_CASES.get(case.category)
    if headline is None or case.owner_role == "ap" or case.document.startswith("invoice:"):
        return None
    return replace(case, reason=f"{headline}: {_for_supplier(case.reason)}")


def outcome_for(outcome: Outcome, role: Role) -> Outcome:
    """A command's outcome as this role sees it. A supplier is told its invoice was
    submitted (matching is AP's), that a duplicate was one (not by which message, nor AP's
    case), and only the keys of cases it can see, without internal limits."""
    if role is not Role.SUPPLIER:
        return outcome
    if outcome.status in ("matched", "blocked"):
        return Outcome("submitted", outcome.document, outcome.revision, (), "", outcome.replayed)
    if outcome.status == "duplicate":
        detail = "this invoice number was already submitted"
        return Outcome(
            "duplicate", outcome.document, outcome.revision, (), detail, outcome.replayed
        )
    keys = tuple(key for key in outcome.exceptions if key.split(":", 1)[0] in SUPPLIER_CASES)
    return replace(outcome, exceptions=keys, detail=_for_supplier(outcome.detail))


def _for_supplier(text: str) -> str:
    return _INTERNAL_LIMIT.sub("", text)


def policy_table() -> str:
    """The table as docs/api.md shows it (a test keeps the two equal)."""
    rows = ["| root field | roles that may call it |", "|---|---|"]
    rows += [f"| `{root}` | {', '.join(sorted(roles))} |" for root, roles in ROOTS.items()]
    rows += ["", "| type | shown to every role that reaches it | null for |", "|---|---|---|"]
    for type_name, fields in FIELDS.items():
        shown_to_all = ", ".join(f for f in fields if f"{type_name}.{f}" not in HIDDEN)
        hidden = "; ".join(
            f"{f}: {', '.join(sorted(HIDDEN[f'{type_name}.{f}']))}"
            for f in fields
            if f"{type_name}.{f}" in HIDDEN
        )
        rows.append(f"| {type_name} | {shown_to_all} | {hidden or '-'} |")
    return "\n".join(rows) + "\n"
