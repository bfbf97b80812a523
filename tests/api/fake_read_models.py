"""An in-memory `ReadModels` over hand-built views, for API tests that need no projections."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from fastapi import FastAPI

from api.app import create_app
from api.health import Readiness
from api.settings import ApiSettings
from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from projections.read_models import (
    Alert,
    AuditEntryView,
    CaseCommentView,
    CaseFilter,
    ExceptionView,
    InvoiceView,
    KpiPeriod,
    LineView,
    Page,
    PurchaseOrderFilter,
    PurchaseOrderView,
    RevisionView,
    SupplierKpis,
    case_place,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def line(number: int, price: str = "4.75") -> LineView:
    return LineView(
        line_number=number, item=f"ITEM-{number}", description="", uom="EA",
        ship_to="PLANT-DE01", ordered_quantity=Decimal(100), unit_price=Decimal(price),
        need_by=date(2026, 12, 1), ack_status="pending", ack_source_code="",
        confirmed_quantity=None, confirmed_date=None, shipped_quantity=Decimal(0),
        received_quantity=Decimal(0), invoiced_quantity=Decimal(0), commitment="unconfirmed",
    )  # fmt: skip


def purchase_order(number: str, supplier: str, hours: int, lines: int = 3) -> PurchaseOrderView:
    invoice = InvoiceView(
        invoice_number=f"INV-{number}", supplier=supplier, po_number=number, currency="EUR",
        invoice_date=date(2026, 11, 20), total=Decimal("475.00"), status="in_review",
        match_status="blocked", block_reasons=("price",), duplicate_submissions=1,
    )  # fmt: skip
    at = T0 + timedelta(hours=hours)
    return PurchaseOrderView(
        number=number, supplier=supplier, currency="EUR", revision=1, status="open",
        needs_action=hours % 2 == 0, acknowledged_revision=0, released_at=at, updated_at=at,
        lines=tuple(line(10 * (i + 1)) for i in range(lines)),
        revisions=(RevisionView(1, at, "erp", "erp", (10,), (), ()),),
        acknowledgements=(), shipments=(), receipts=(), invoices=(invoice,), open_exceptions=1,
    )  # fmt: skip


def exception(key: str, supplier: str, document: str) -> ExceptionView:
    return ExceptionView(
        key=key, category="stale_revision", document=document, supplier=supplier,
        owner_role="buyer", owner="", status="open", reason="stale", payload_ref="",
        opened_at=T0, due_at=T0 + timedelta(days=2),
    )  # fmt: skip


def kpis(supplier: str) -> SupplierKpis:
    return SupplierKpis(supplier, "", 4.0, 9.0, 0.8, 0.9, 1.0, 0.1, 0.2, 0.7)


class FakeReadModels:
    """Holds views in a dict; `position` moves when a test changes them."""

    def __init__(self, orders: list[PurchaseOrderView], cases: list[ExceptionView]) -> None:
        self.orders = {po.number: po for po in orders}
        self.cases = cases
        self.comments: dict[str, tuple[CaseCommentView, ...]] = {}  # by case key
        self.at = 1
        self.calls = 0

    @classmethod
    def two_suppliers(cls, per_supplier: int = 10) -> FakeReadModels:
        orders = [
            purchase_order(f"45{s}{n:07d}", supplier, hours=n)
            for s, supplier in enumerate(("SUP-ACME", "SUP-BOREAL"), start=1)
            for n in range(per_supplier)
        ]
        cases = [exception(f"EX-{po.number}", po.supplier, f"po:{po.number}") for po in orders]
        return cls(orders, cases)

    def set_status(self, number: str, status: str) -> None:
        self.orders[number] = replace(self.orders[number], status=status)
        self.at += 1

    def position(self) -> int:
        return self.at

    def purchase_orders(
        self, supplier: str | None, filter: PurchaseOrderFilter, first: int,
        after: str | None = None,
    ) -> Page[PurchaseOrderView]:  # fmt: skip
        self.calls += 1
        found = [
            po for po in sorted(self.orders.values(), key=lambda p: p.released_at, reverse=True)
            if (supplier is None or po.supplier == supplier)
            and (filter.status is None or po.status == filter.status)
            and (filter.needs_action is None or po.needs_action == filter.needs_action)
            and (filter.released_from is None or po.released_at >= filter.released_from)
            and (filter.released_to is None or po.released_at <= filter.released_to)
        ]  # fmt: skip
        start = int(after) if after and after.isdigit() else 0
        items = tuple(found[start : start + first])
        more = start + first < len(found)
        return Page(items, str(start + first) if more else None, more)

    def purchase_order(self, number: str, supplier: str | None) -> PurchaseOrderView | None:
        self.calls += 1
        found = self.orders.get(number)
        return found if found and supplier in (None, found.supplier) else None

    def purchase_order_with_id(self, document_id: str) -> PurchaseOrderView | None:
        return next(
            (
                po
                for po in self.orders.values()
                if str(PurchaseOrder.create_id(po.number)) == document_id
            ),
            None,
        )

    def exceptions(
        self, supplier: str | None, status: str | None = "open", owner_role: str | None = None,
        category: str | None = None,
    ) -> tuple[ExceptionView, ...]:  # fmt: skip
        return tuple(
            case for case in self.cases
            if supplier in (None, case.supplier) and status in (None, case.status)
            and owner_role in (None, case.owner_role) and category in (None, case.category)
        )  # fmt: skip

    def exceptions_page(
        self, filter: CaseFilter, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[ExceptionView, ...]:
        found = sorted((c for c in self.cases if held(c, filter)), key=case_place)
        return tuple(c for c in found if after is None or case_place(c) > after)[:limit]

    def count_cases(self, filter: CaseFilter) -> int:
        return sum(held(case, filter) for case in self.cases)

    def count_orders(self, supplier: str | None, filter: PurchaseOrderFilter) -> int:
        return len(self.purchase_orders(supplier, filter, len(self.orders) + 1).items)

    def blocked_invoices(self, supplier: str | None) -> int:
        return sum(
            invoice.match_status == "blocked"
            for po in self.orders.values() if supplier in (None, po.supplier)
            for invoice in po.invoices
        )  # fmt: skip

    def blocked_invoice_page(
        self, supplier: str | None, limit: int, after: tuple[str, str] | None = None
    ) -> tuple[InvoiceView, ...]:
        blocked = sorted(
            (i for po in self.orders.values() if supplier in (None, po.supplier)
             for i in po.invoices if i.match_status == "blocked"),
            key=lambda i: (i.po_number, i.invoice_number),
        )  # fmt: skip
        later = (i for i in blocked if after is None or (i.po_number, i.invoice_number) > after)
        return tuple(later)[:limit]

    def cases_orders(
        self, cases: Sequence[tuple[str, str]], supplier: str | None
    ) -> dict[str, PurchaseOrderView]:
        found = ((key, self.case_purchase_order(key, supplier)) for key, _ in cases)
        return {key: po for key, po in found if po is not None}

    def cases_on(self, supplier: str, documents: Collection[str]) -> tuple[ExceptionView, ...]:
        return tuple(c for c in self.exceptions(supplier, None) if c.document in documents)

    def case_purchase_order(self, key: str, supplier: str | None) -> PurchaseOrderView | None:
        case = next((case for case in self.cases if case.key == key), None)
        kind, _, rest = case.document.partition(":") if case else ("", "", "")
        number = rest.rpartition(":")[2]
        found = next(
            (po for po in self.orders.values()
             if (kind == "po" and po.number == number)
             or (kind == "invoice" and any(i.invoice_number == number for i in po.invoices))
             or (kind == "receipt" and any(r.receipt_number == number for r in po.receipts))),
            None,
        )  # fmt: skip
        return found if found and supplier in (None, found.supplier) else None

    def linked_orders(self, link: str) -> tuple[str, ...]:
        return ()

    def alerts(self, supplier: str | None, now: datetime) -> tuple[Alert, ...]:
        return ()

    def kpis(self, supplier: str | None) -> tuple[SupplierKpis, ...]:
        return tuple(kpis(s) for s in ("SUP-ACME", "SUP-BOREAL") if supplier in (None, s))

    def kpi_series(
        self,
        supplier: str | None,
        period: str,
        since: date | None = None,
        until: date | None = None,
    ) -> tuple[KpiPeriod, ...]:
        return ()

    def history(self, document_id: UUID) -> tuple[AuditEntryView, ...]:
        return ()

    def histories(self, document_ids: Collection[UUID]) -> dict[UUID, tuple[AuditEntryView, ...]]:
        return {}

    def exception_case(self, key: str) -> ExceptionView | None:
        return next((case for case in self.cases if case.key == key), None)

    def case_comments(self, keys: Collection[str]) -> dict[str, tuple[CaseCommentView, ...]]:
        return {key: self.comments[key] for key in keys if key in self.comments}


def held(case: ExceptionView, filter: CaseFilter) -> bool:
    """Whether a case is one the filter holds: the queue's filters, in memory."""
    wanted = {
        "supplier": filter.supplier, "status": filter.status, "owner_role": filter.owner_role,
        "category": filter.category, "owner": filter.owner,
    }  # fmt: skip
    return (
        all(value in (None, getattr(case, name)) for name, value in wanted.items())
        and (filter.opened_before is None or case.opened_at <= filter.opened_before)
        and (filter.due_before is None or case.due_at < filter.due_before)
        and (filter.due_from is None or case.due_at >= filter.due_from)
    )


def app_over_fake_views(
    settings: ApiSettings, hub: SupplyHub, read_models: FakeReadModels | None = None
) -> FastAPI:
    """The whole API over hand-built views (two suppliers unless given), always ready."""
    views = read_models if read_models is not None else FakeReadModels.two_suppliers()
    return create_app(settings, hub, views, lambda: Readiness(True, 0))
