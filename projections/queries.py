"""The `ReadModels` the API serves, answered from the live view tables only."""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.errors import ValidationError
from domain.exception_case import ExceptionCase
from projections import service_levels
from projections.read_models import (
    Alert,
    AuditEntryView,
    CaseCommentView,
    CaseFilter,
    ExceptionView,
    InvoiceView,
    KpiPeriod,
    Page,
    PurchaseOrderFilter,
    PurchaseOrderView,
    SupplierKpis,
)
from projections.runner import ProjectionRunner
from projections.stores import kpi_sql
from projections.stores.view_store import Range, SqlViewStore
from projections.views.purchase_orders import Link, po_key
from storage import view_codec
from storage.view_codec import built


class StoredReadModels:
    """Implements `projections.read_models.ReadModels` over a view store."""

    def __init__(self, store: SqlViewStore, runner: ProjectionRunner) -> None:
        self.store = store
        self.runner = runner

    def position(self) -> int:
        """The log position every view reflects."""
        return self.runner.position()

    def purchase_orders(
        self,
        supplier: str | None,
        filter: PurchaseOrderFilter,
        first: int,
        after: str | None = None,
    ) -> Page[PurchaseOrderView]:
        """A page of purchase orders in number order; `after` is the last page's end cursor."""
        equals, ranges = _order_filters(supplier, filter)
        docs = self.store.select(
            "purchase_orders", equals, ranges, order="number", after=_uncursor(after),
            limit=first + 1,
        )  # fmt: skip
        views = tuple(view_codec.decode(doc) for doc in docs[:first])
        more = len(docs) > first
        return Page(views, _cursor(views[-1].number) if views and more else None, more)

    def purchase_order(self, number: str, supplier: str | None) -> PurchaseOrderView | None:
        """One purchase order, or None if unknown or another supplier's."""
        doc = self.store.get("purchase_orders", po_key(number))
        view = view_codec.decode(doc) if doc else None
        if not isinstance(view, PurchaseOrderView):
            return None
        return view if supplier is None or view.supplier == supplier else None

    def purchase_order_with_id(self, document_id: str) -> PurchaseOrderView | None:
        """One purchase order by its aggregate id, in every scope."""
        doc = self.store.get("purchase_orders", f"purchaseorder:{document_id}")
        view = view_codec.decode(doc) if doc else None
        return view if isinstance(view, PurchaseOrderView) else None

    def exceptions(
        self,
        supplier: str | None,
        status: str | None = "open",
        owner_role: str | None = None,
        category: str | None = None,
    ) -> tuple[ExceptionView, ...]:
        """Exception cases, oldest first."""
        wanted = {"supplier": supplier, "status": status, "owner_role": owner_role}
        wanted["category"] = category
        equals = {column: value for column, value in wanted.items() if value is not None}
        docs = self.store.select("exceptions", equals, order="opened_at")
        return tuple(view_codec.decode(doc) for doc in docs)

    def exceptions_page(
        self, filter: CaseFilter, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[ExceptionView, ...]:
        equals, ranges = _case_filters(filter)
        docs = self.store.select(
            "exceptions", equals, ranges, order=("opened_at", "key"), after=after, limit=limit
        )
        return tuple(view_codec.decode(doc) for doc in docs)

    def count_cases(self, filter: CaseFilter) -> int:
        return self.store.count("exceptions", *_case_filters(filter))

    def count_orders(self, supplier: str | None, filter: PurchaseOrderFilter) -> int:
        return self.store.count("purchase_orders", *_order_filters(supplier, filter))

    def blocked_invoices(self, supplier: str | None) -> int:
        equals, _ = _order_filters(supplier, PurchaseOrderFilter())
        some = {"blocked_invoices": Range(low=1)}  # on its index: the few orders with any
        return self.store.count("purchase_orders", equals, some, total="blocked_invoices")

    def blocked_invoice_page(
        self, supplier: str | None, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[InvoiceView, ...]:
        """One indexed read of ``limit`` + 1 orders with a blocked invoice, from the order of
        ``after`` on: however few of that order's invoices are left, the ``limit`` orders
        after it hold at least ``limit`` blocked invoices."""
        equals, _ = _order_filters(supplier, PurchaseOrderFilter())
        ranges = {"blocked_invoices": Range(low=1), "number": Range(low=after and after[0])}
        docs = self.store.select("purchase_orders", equals, ranges, order="number", limit=limit + 1)
        orders: list[PurchaseOrderView] = [view_codec.decode(doc) for doc in docs]
        invoices = (invoice for po in orders for invoice in po.invoices)
        blocked = sorted((i for i in invoices if i.match_status == "blocked"), key=invoice_place)
        return tuple(i for i in blocked if after is None or invoice_place(i) > after)[:limit]

    def cases_on(self, supplier: str, documents: Collection[str]) -> tuple[ExceptionView, ...]:
        """One indexed read of the cases whose document is one of ``documents``."""
        equals = {"supplier": supplier, "document": sorted(set(documents))}
        docs = self.store.select("exceptions", equals, order=("opened_at", "key"))
        return tuple(view_codec.decode(doc) for doc in docs)

    def cases_orders(
        self, cases: Sequence[tuple[str, str]], supplier: str | None
    ) -> dict[str, PurchaseOrderView]:
        """A case on an order names it; a receipt's or an invoice's case is found through
        the link row the purchase order view keeps for the case (one read for all of them),
        then every order in one read."""
        order_of = {key: po_key(doc[3:]) for key, doc in cases if doc.startswith("po:")}
        others = {
            f"exceptioncase:{ExceptionCase.create_id(key)}": key
            for key, _ in cases
            if key not in order_of
        }
        for link_key, doc in self.store.get_many("purchase_orders", sorted(others)).items():
            link = view_codec.decode(doc)
            if isinstance(link, Link) and link.targets:
                order_of[others[link_key]] = link.targets[0]
        docs = self.store.get_many("purchase_orders", sorted(set(order_of.values())))
        views = {key: view_codec.decode(doc) for key, doc in docs.items()}
        found = {case: views.get(order) for case, order in order_of.items()}
        return {
            case: view
            for case, view in found.items()
            if isinstance(view, PurchaseOrderView)
            and (supplier is None or view.supplier == supplier)
        }

    def case_purchase_order(self, key: str, supplier: str | None) -> PurchaseOrderView | None:
        """Through the link row the purchase order view keeps for each case: it names the
        orders the case's document concerns (a receipt's or an invoice's PO included)."""
        doc = self.store.get("purchase_orders", f"exceptioncase:{ExceptionCase.create_id(key)}")
        link = view_codec.decode(doc) if doc else None
        if not isinstance(link, Link) or not link.targets:
            return None
        found = self.store.get("purchase_orders", link.targets[0])
        view = view_codec.decode(found) if found else None
        if not isinstance(view, PurchaseOrderView):
            return None
        return view if supplier is None or view.supplier == supplier else None

    def linked_orders(self, link: str) -> tuple[str, ...]:
        doc = self.store.get("purchase_orders", link)
        found = view_codec.decode(doc) if doc else None
        if not isinstance(found, Link):
            return ()
        return tuple(target.removeprefix("purchaseorder:") for target in found.targets)

    def alerts(self, supplier: str | None, now: datetime) -> tuple[Alert, ...]:
        """Unacknowledged revisions and missing ASNs as of `now`."""
        return service_levels.alerts(self._open_orders(supplier), now)

    def kpis(self, supplier: str | None) -> tuple[SupplierKpis, ...]:
        """KPIs per supplier (plant "") and per supplier and plant, from the KPI view's sums."""
        figures = service_levels.supplier_kpis
        return tuple(figures(*scope) for scope in kpi_sql.scopes(self.store, "plant", supplier))

    def kpi_series(
        self,
        supplier: str | None,
        period: str,
        since: date | None = None,
        until: date | None = None,
    ) -> tuple[KpiPeriod, ...]:
        """KPIs per supplier and day or week of release (UTC, weeks from Monday), oldest
        first, over a window of days (`service_levels.series_days`: by default the latest
        90 days or 52 weeks): the KPI view's rows of those days summed per day or week."""
        newest = kpi_sql.newest_day(self.store) if until is None else None
        days = service_levels.series_days(period, newest, since, until)
        if days is None:
            return ()
        figures, start = service_levels.supplier_kpis, date.fromisoformat
        return tuple(
            built(KpiPeriod, start=start(place), kpis=figures(who, "", counts, latency))
            for who, place, counts, latency in kpi_sql.scopes(self.store, period, supplier, days)
        )

    def history(self, document_id: UUID) -> tuple[AuditEntryView, ...]:
        """The audit trail of one document, oldest first."""
        docs = self.store.select("audit_trail", {"document_id": str(document_id)}, order="key")
        return tuple(view_codec.decode(doc) for doc in docs)

    def histories(self, document_ids: Collection[UUID]) -> dict[UUID, tuple[AuditEntryView, ...]]:
        """One read of every document's audit trail, each oldest first."""
        wanted = sorted({str(found) for found in document_ids})
        docs = self.store.select("audit_trail", {"document_id": wanted}, order="key")
        found: dict[UUID, list[AuditEntryView]] = {}
        for entry in (view_codec.decode(doc) for doc in docs):
            found.setdefault(UUID(entry.document_id), []).append(entry)
        return {key: tuple(entries) for key, entries in found.items()}

    def exception_case(self, key: str) -> ExceptionView | None:
        """One case by its key (its row is its document's), in every scope."""
        doc = self.store.get("exceptions", f"exceptioncase:{ExceptionCase.create_id(key)}")
        view = view_codec.decode(doc) if doc else None
        return view if isinstance(view, ExceptionView) else None

    def case_comments(self, keys: Collection[str]) -> dict[str, tuple[CaseCommentView, ...]]:
        """One read of the comments of every case named, each oldest first."""
        ids = {str(ExceptionCase.create_id(key)): key for key in keys}
        docs = self.store.select("case_comments", {"case_id": sorted(ids)}, order="key")
        found: dict[str, list[CaseCommentView]] = {}
        for comment in (view_codec.decode(doc) for doc in docs):
            found.setdefault(ids[comment.case_id], []).append(comment)
        return {key: tuple(comments) for key, comments in found.items()}

    def _open_orders(self, supplier: str | None) -> list[PurchaseOrderView]:
        equals: dict[str, Any] = {"kind": "po", "status": "open"}
        if supplier is not None:
            equals["supplier"] = supplier
        docs = self.store.select("purchase_orders", equals, order="number")
        return [view_codec.decode(doc) for doc in docs]


def invoice_place(invoice: InvoiceView) -> tuple[str, str]:
    """Where a blocked invoice stands in the console's list: by order, then by number."""
    return (invoice.po_number, invoice.invoice_number)


def _order_filters(
    supplier: str | None, filter: PurchaseOrderFilter
) -> tuple[dict[str, Any], dict[str, Range]]:
    equals: dict[str, Any] = {"kind": "po"}
    if supplier is not None:
        equals["supplier"] = supplier
    if filter.status is not None:
        equals["status"] = filter.status
    if filter.needs_action is not None:
        equals["needs_action"] = filter.needs_action
    ranges = {"released_at": Range(_utc(filter.released_from), _utc(filter.released_to))}
    if filter.ack_overdue_at is not None:
        ranges["ack_due"] = Range(high=_utc(filter.ack_overdue_at), below=True)
    if filter.asn_missing_at is not None:
        ranges["asn_due"] = Range(high=_utc(filter.asn_missing_at), below=True)
    return equals, ranges


def _case_filters(filter: CaseFilter) -> tuple[dict[str, Any], dict[str, Range]]:
    wanted = {
        "supplier": filter.supplier, "status": filter.status, "owner_role": filter.owner_role,
        "category": filter.category, "owner": filter.owner,
    }  # fmt: skip
    equals = {column: value for column, value in wanted.items() if value is not None}
    ranges = {
        "opened_at": Range(high=_utc(filter.opened_before)),
        "due_at": Range(_utc(filter.due_from), _utc(filter.due_before), below=True),
    }
    return equals, ranges


def utc_text(moment: datetime) -> str:
    """How times are stored in filter columns: UTC ISO text, which sorts as time does."""
    return moment.astimezone(UTC).isoformat()


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else utc_text(moment)


def _cursor(number: str) -> str:
    return base64.urlsafe_b64encode(number.encode()).decode()


def _uncursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:  # strict: the lenient decoder skips junk and answers a page for garbage
        return base64.b64decode(cursor, altchars=b"-_", validate=True).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        rule = "is not a cursor this API gave out: pass an endCursor"
        raise ValidationError("after", rule) from None
