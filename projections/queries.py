"""The `ReadModels` the API serves, answered from the live view tables only."""

from __future__ import annotations

import base64
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.errors import ValidationError
from domain.exception_case import ExceptionCase
from projections import service_levels
from projections.read_models import (
    Alert,
    AuditEntryView,
    ExceptionView,
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
        equals: dict[str, Any] = {"kind": "po"}
        if supplier is not None:
            equals["supplier"] = supplier
        if filter.status is not None:
            equals["status"] = filter.status
        if filter.needs_action is not None:
            equals["needs_action"] = filter.needs_action
        released = Range(_utc(filter.released_from), _utc(filter.released_to))
        docs = self.store.select(
            "purchase_orders", equals, {"released_at": released}, order="number",
            after=_uncursor(after), limit=first + 1,
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
        self,
        supplier: str | None,
        status: str | None,
        owner_role: str | None,
        category: str | None,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> tuple[ExceptionView, ...]:
        wanted = {"supplier": supplier, "status": status, "owner_role": owner_role}
        wanted["category"] = category
        equals = {column: value for column, value in wanted.items() if value is not None}
        docs = self.store.select(
            "exceptions", equals, order=("opened_at", "key"), after=after, limit=limit
        )
        return tuple(view_codec.decode(doc) for doc in docs)

    def cases_on(self, supplier: str, documents: Collection[str]) -> tuple[ExceptionView, ...]:
        """The supplier's case rows are read, but only those naming one of the documents in
        their text are decoded (the decode is what costs, thousands of cases a supplier)."""
        wanted = set(documents)
        docs = self.store.select("exceptions", {"supplier": supplier}, order="opened_at")
        named = (doc for doc in docs if any(label in doc for label in wanted))
        cases = (view_codec.decode(doc) for doc in named)
        return tuple(case for case in cases if case.document in wanted)

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
        found = kpi_sql.scopes(self.store, "plant", supplier)
        figures = service_levels.supplier_kpis
        return tuple(figures(*scope, *found[scope]) for scope in sorted(found))

    def kpi_series(self, supplier: str | None, period: str) -> tuple[KpiPeriod, ...]:
        """KPIs per supplier and day or week of release (UTC, weeks from Monday), oldest
        first: the KPI view's rows summed per day or week."""
        found = kpi_sql.scopes(self.store, service_levels.check_period(period), supplier)
        figures = service_levels.supplier_kpis
        return tuple(
            built(
                KpiPeriod,
                start=date.fromisoformat(start),
                kpis=figures(who, "", *found[who, start]),
            )
            for who, start in sorted(found)
        )

    def history(self, document_id: UUID) -> tuple[AuditEntryView, ...]:
        """The audit trail of one document, oldest first."""
        docs = self.store.select("audit_trail", {"document_id": str(document_id)}, order="key")
        return tuple(view_codec.decode(doc) for doc in docs)

    def _open_orders(self, supplier: str | None) -> list[PurchaseOrderView]:
        equals: dict[str, Any] = {"kind": "po", "status": "open"}
        if supplier is not None:
            equals["supplier"] = supplier
        docs = self.store.select("purchase_orders", equals, order="number")
        return [view_codec.decode(doc) for doc in docs]


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
