"""What a use case works with: the unit of work, the message envelope, the default policy."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFoundError, ValidationError
from domain.exception_case import Category, ExceptionCase
from domain.provenance import Provenance
from domain.purchase_order import PurchaseOrder
from domain.supplier import Supplier
from domain.tolerance import TolerancePolicy
from domain.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Context:
    uow: UnitOfWork
    provenance: Provenance
    default_tolerance: TolerancePolicy

    def supplier(self, code: str) -> Supplier:
        found = self.uow.find(Supplier, Supplier.create_id(code))
        if found is None:
            raise ValidationError("supplier", f"unknown supplier {code!r}: upsert it first")
        return found

    def purchase_order(self, number: str) -> PurchaseOrder:
        po = self.uow.get(PurchaseOrder, PurchaseOrder.create_id(number), "purchase order", number)
        self.check_tenant(po.supplier, "purchase order", number)
        return po

    def check_tenant(self, supplier: str, kind: str, key: str) -> None:
        """A supplier's actor sees only its own documents: others do not exist for it."""
        if self.provenance.tenant and self.provenance.tenant != supplier:
            raise NotFoundError(kind, key)

    def tolerance(self, supplier: str) -> TolerancePolicy:
        return self.supplier(supplier).tolerance_or(self.default_tolerance)

    def open_case(self, category: Category, document: str, supplier: str, reason: str) -> str:
        case = ExceptionCase.open(category, document, supplier, reason, self.provenance)
        self.uow.add(case)
        return case.key
