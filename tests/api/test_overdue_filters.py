"""`purchaseOrders(ackOverdue: true)` and `(asnMissing: true)` over GraphQL on the demo: the
late responses and the ASNs missing past cutoff as of the request, in the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from browser import bearer, token
from live_server import LiveHub

from api.auth import Role
from projections import service_levels
from projections.read_models import PurchaseOrderFilter


def page(live: LiveHub, role: Role, arguments: str, supplier: str = "") -> Any:
    fields = "items { number supplier } totalCount"
    query = f"{{ purchaseOrders({arguments}, first: 100) {{ {fields} }} }}"
    headers = bearer(live, role)
    if supplier:
        headers = {"Authorization": f"Bearer {token(live, role, 'sam', supplier)}"}
    return httpx.post(f"{live.url}/graphql", json={"query": query}, headers=headers).json()


def alerted(live: LiveHub, kind: str, supplier: str | None = None) -> list[str]:
    read = live.read_side.read_models
    orders = read.purchase_orders(supplier, PurchaseOrderFilter(), 1000).items
    found = service_levels.alerts(orders, datetime.now(UTC))
    return sorted({a.document.removeprefix("po:") for a in found if a.kind == kind})


def test_a_buyer_reads_the_late_responses_and_the_missing_asns_of_every_supplier(
    live: LiveHub,
) -> None:
    for argument, kind in (("ackOverdue: true", "unacknowledged_revision"),
                           ("asnMissing: true", "asn_missing")):  # fmt: skip
        found = page(live, Role.BUYER, argument)["data"]["purchaseOrders"]

        assert sorted(po["number"] for po in found["items"]) == alerted(live, kind)
        assert found["totalCount"] == len(found["items"]) > 0


def test_a_supplier_reads_only_its_own_late_responses(live: LiveHub) -> None:
    every = page(live, Role.BUYER, "ackOverdue: true")["data"]["purchaseOrders"]["items"]
    supplier = every[0]["supplier"]

    found = page(live, Role.SUPPLIER, "ackOverdue: true", supplier)["data"]["purchaseOrders"]

    assert sorted(po["number"] for po in found["items"]) == sorted(
        po["number"] for po in every if po["supplier"] == supplier
    )
    assert 0 < found["totalCount"] < len(every)


def test_false_is_refused_naming_the_argument(live: LiveHub) -> None:
    answer = page(live, Role.BUYER, "asnMissing: false")

    assert answer["data"] is None or answer["data"]["purchaseOrders"] is None
    assert "asnMissing" in str(answer["errors"])
