"""Fixtures for the application-service tests: a fresh supplier and a released PO on the hub."""

from __future__ import annotations

import pytest
from given import envelope, lines, unique

from domain import commands as c
from domain.application import SupplyHub


@pytest.fixture
def supplier(hub: SupplyHub) -> str:
    code = unique("SUP")
    hub.handle(c.UpsertSupplier(code, f"Supplier {code}"), envelope())
    return code


@pytest.fixture
def po_number(hub: SupplyHub, supplier: str) -> str:
    number = unique("PO")  # line 10: 100, line 20: 100 (tolerance 5 %)
    hub.handle(c.ReleasePurchaseOrder(number, supplier, "EUR", lines(2)), envelope())
    return number
