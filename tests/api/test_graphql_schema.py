"""The portal schema through `schema.execute`: scope, field security, limits, union results."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fake_read_models import FakeReadModels

from api.auth import Principal, Role
from api.envelope import Envelope
from api.graphql.context import Context
from api.graphql.schema import build_schema
from domain import commands as c
from domain.application import SupplyHub
from domain.order_line import OrderLine
from domain.provenance import Channel, Provenance

ACME = Principal("acme-user", Role.SUPPLIER, "SUP-ACME")
BUYER = Principal("bea", Role.BUYER)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SCHEMA = build_schema()

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def erp(message_id: str) -> Provenance:
    return Provenance(message_id, message_id, message_id, "erp", Channel.ERP, NOW)


@pytest.fixture
def hub() -> SupplyHub:
    """An in-memory hub with PO 4500000001 for Acme at revision 2."""
    hub = SupplyHub()
    hub.handle(c.UpsertSupplier("SUP-ACME", "Acme"), erp("m1"))
    hub.handle(c.UpsertSupplier("SUP-BOREAL", "Boreal"), erp("m2"))
    line = OrderLine(10, "BRKT-1001", Decimal(100), "EA", Decimal("4.75"), NOW.date(), "PL-1")
    hub.handle(c.ReleasePurchaseOrder("4500000001", "SUP-ACME", "EUR", (line,)), erp("m3"))
    hub.handle(c.ReleasePurchaseOrder("4500000002", "SUP-BOREAL", "EUR", (line,)), erp("m4"))
    hub.handle(c.RevisePurchaseOrder("4500000001", 2, (line,)), erp("m5"))
    return hub


async def run(
    query: str, principal: Principal, hub: SupplyHub | None = None,
    read_models: FakeReadModels | None = None, schema: Any = SCHEMA,
) -> Any:  # fmt: skip
    context = Context(
        principal=principal,
        read_models=read_models or FakeReadModels.two_suppliers(),
        hub=hub or SupplyHub(),
        envelope=Envelope(principal, Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50,
        record_outcome=lambda command, status: None,
    )
    return await schema.execute(query, context_value=context)


async def test_a_supplier_lists_only_its_own_purchase_orders() -> None:
    result = await run("{ purchaseOrders(first: 50) { items { supplier } } }", ACME)
    suppliers = {po["supplier"] for po in result.data["purchaseOrders"]["items"]}
    assert result.errors is None
    assert suppliers == {"SUP-ACME"}


async def test_a_supplier_cannot_fetch_another_suppliers_purchase_order_by_number() -> None:
    result = await run('{ purchaseOrder(number: "4520000001") { number } }', ACME)
    assert result.data == {"purchaseOrder": None}


async def test_a_supplier_sees_the_invoice_lifecycle_but_not_the_ap_controls() -> None:
    query = (
        '{ purchaseOrder(number: "4510000001") '
        "{ invoices { status matchStatus blockReasons duplicateSubmissions } } }"
    )
    supplier = await run(query, ACME)
    buyer = await run(query, BUYER)
    assert supplier.data["purchaseOrder"]["invoices"] == [
        {"status": "in_review", "matchStatus": None, "blockReasons": None,
         "duplicateSubmissions": None}
    ]  # fmt: skip
    assert buyer.data["purchaseOrder"]["invoices"][0]["matchStatus"] == "blocked"


async def test_a_supplier_sees_only_its_own_exceptions_and_kpis() -> None:
    result = await run(
        "{ exceptions { items { supplier purchaseOrder { supplier } } } kpis { supplier } }", ACME
    )
    assert {e["supplier"] for e in result.data["exceptions"]["items"]} == {"SUP-ACME"}
    assert {e["purchaseOrder"]["supplier"] for e in result.data["exceptions"]["items"]} == {
        "SUP-ACME"
    }
    assert {k["supplier"] for k in result.data["kpis"]} == {"SUP-ACME"}


async def test_a_page_larger_than_the_cap_is_refused_without_reading() -> None:
    views = FakeReadModels.two_suppliers()
    result = await run("{ purchaseOrders(first: 500) { items { number } } }", ACME, None, views)
    assert result.errors and "first: must be between 1 and 50" in result.errors[0].message
    assert views.calls == 0


async def test_a_query_deeper_than_the_limit_is_refused() -> None:
    shallow = build_schema(max_depth=2)
    result = await run("{ purchaseOrders { items { lines { item } } } }", ACME, schema=shallow)
    assert result.errors and "exceeds maximum operation depth" in result.errors[0].message


async def test_a_connector_may_not_act_as_a_supplier(hub: SupplyHub) -> None:
    connector = Principal("sap", Role.CONNECTOR)
    result = await run(ACK.format(key="k1", revision=2), connector, hub)
    assert result.data["acknowledgePurchaseOrder"]["__typename"] == "Forbidden"


ACK = """mutation {{ acknowledgePurchaseOrder(idempotencyKey: "{key}",
  input: {{poNumber: "4500000001", revision: {revision},
           lines: [{{lineNumber: 10, code: "Accepted"}}]}}) {{
    __typename
    ... on Accepted {{ status revision replayed }}
    ... on StaleRevision {{ currentRevision exceptions }}
    ... on InvalidInput {{ field rule }}
    ... on NotFound {{ kind key }}
}} }}"""


async def test_acknowledging_the_current_revision_is_accepted_and_a_retry_replays(
    hub: SupplyHub,
) -> None:
    first = await run(ACK.format(key="ack-1", revision=2), ACME, hub)
    again = await run(ACK.format(key="ack-1", revision=2), ACME, hub)
    assert first.data["acknowledgePurchaseOrder"] == {
        "__typename": "Accepted", "status": "applied", "revision": 2, "replayed": False,
    }  # fmt: skip
    assert again.data["acknowledgePurchaseOrder"]["replayed"] is True


async def test_acknowledging_an_outdated_revision_is_a_stale_revision_result(
    hub: SupplyHub,
) -> None:
    result = await run(ACK.format(key="ack-2", revision=1), ACME, hub)
    answer = result.data["acknowledgePurchaseOrder"]
    assert result.errors is None
    assert answer["__typename"] == "StaleRevision"
    assert answer["currentRevision"] == 2 and len(answer["exceptions"]) == 1


async def test_a_blank_idempotency_key_is_invalid_input(hub: SupplyHub) -> None:
    result = await run(ACK.format(key=" ", revision=2), ACME, hub)
    assert result.data["acknowledgePurchaseOrder"] == {
        "__typename": "InvalidInput", "field": "idempotencyKey",
        "rule": "is required: a unique key per message, reused on retry",
    }  # fmt: skip


async def test_an_answer_word_the_portal_does_not_know_is_invalid_input_naming_the_line(
    hub: SupplyHub,
) -> None:
    unknown = ACK.format(key="ack-4", revision=2).replace('code: "Accepted"', 'code: "Maybe"')
    too_long = ACK.format(key="ack-5", revision=2).replace(
        'code: "Accepted"', f'code: "{"A" * 36}"'
    )

    maybe = (await run(unknown, ACME, hub)).data["acknowledgePurchaseOrder"]
    long = (await run(too_long, ACME, hub)).data["acknowledgePurchaseOrder"]

    assert maybe == {
        "__typename": "InvalidInput", "field": "lines[0].code",
        "rule": "unknown portal acknowledgement code 'Maybe' "
                "(known: ACCEPTED, PARTIALLY ACCEPTED, PENDING, REJECTED)",
    }  # fmt: skip
    assert long == {
        "__typename": "InvalidInput", "field": "lines[0].code",
        "rule": "must be at most 35 characters",
    }  # fmt: skip


async def test_acknowledging_another_suppliers_purchase_order_finds_nothing(
    hub: SupplyHub,
) -> None:
    boreal = Principal("b", Role.SUPPLIER, "SUP-BOREAL")
    result = await run(ACK.format(key="ack-3", revision=2), boreal, hub)
    assert result.data["acknowledgePurchaseOrder"]["__typename"] == "NotFound"


async def test_an_invoice_outcome_hides_the_match_result_from_the_supplier(
    hub: SupplyHub,
) -> None:
    invoice = """mutation { submitInvoice(idempotencyKey: "inv-1", input: {
        invoiceNumber: "INV-1", poNumber: "4500000001", currency: "EUR",
        invoiceDate: "2026-11-21", lines: [{lineNumber: 10, quantity: "100", unitPrice: "9"}]})
      { __typename ... on Accepted { status exceptions detail } } }"""
    result = await run(invoice, ACME, hub)
    assert result.data["submitInvoice"] == {
        "__typename": "Accepted", "status": "submitted", "exceptions": [], "detail": "",
    }  # fmt: skip


async def test_a_not_a_number_quantity_is_invalid_input_not_a_crash(hub: SupplyHub) -> None:
    invoice = """mutation { submitInvoice(idempotencyKey: "inv-2", input: {
        invoiceNumber: "INV-2", poNumber: "4500000001", currency: "EUR",
        invoiceDate: "2026-11-21", lines: [{lineNumber: 10, quantity: "NaN", unitPrice: "9"}]})
      { __typename ... on InvalidInput { field } } }"""
    result = await run(invoice, ACME, hub)
    assert result.data["submitInvoice"] == {
        "__typename": "InvalidInput",
        "field": "lines[0].quantity",
    }
