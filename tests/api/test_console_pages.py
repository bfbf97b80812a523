"""The console's main pages as the view store answers them, on SQLite and PostgreSQL: the
exception queue filtered and paged in the store (the same cases as filtering every case in
memory), a page's orders read together, the counts counted in the store, and a table made
before the filter columns filled when the read side opens."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from servers import PostgresServer

from api.auth import Role
from connectors.demo import Scenario
from domain.application import SupplyHub
from domain.errors import DomainError
from projections import service_levels
from projections.read_models import CaseFilter, ExceptionView, PurchaseOrderFilter, case_place
from supplyhub.bootstrap import open_hub
from supplyhub.cli.api import auth_config, build_app
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings

QUEUE = """query($after: String) { exceptions(%s, first: 3, after: $after) {
  items { key purchaseOrder { number } } endCursor hasNextPage totalCount } }"""


@dataclass
class Console:
    settings: Settings
    hub: SupplyHub
    read_side: ReadSide
    client: TestClient

    def bearer(self, role: Role, supplier: str = "") -> dict[str, str]:
        token = auth_config(self.settings).issue(role, f"{role}-user", supplier)
        return {"Authorization": f"Bearer {token}"}

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, role: Role = Role.BUYER,
        supplier: str = "",
    ) -> dict[str, Any]:  # fmt: skip
        answer = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}},
            headers=self.bearer(role, supplier),
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def every(self) -> list[ExceptionView]:
        return sorted(self.read_side.read_models.exceptions(None, status=None), key=case_place)


def run_steps(hub: SupplyHub, purchase_orders: int) -> None:
    """The demo scenario of seed 7; the commands it has refused are part of it."""
    for step in Scenario(7).steps(purchase_orders):
        with contextlib.suppress(DomainError):
            hub.handle(step.command, step.provenance)


def _settings(backend: str, tmp: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        return Settings(data_dir=tmp, dev_mode=True)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database(f"pages_{uuid.uuid4().hex[:12]}")
    return Settings(data_dir=tmp, database_url=url, dev_mode=True)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """The demo's first 24 orders, two cases assigned to bea, the views caught up."""
    settings = _settings(request.param, tmp_path_factory.mktemp("pages"), request)
    hub = open_hub(settings)
    run_steps(hub, purchase_orders=24)
    read_side = open_read_side(settings, hub)
    read_side.runner.catch_up()
    app = build_app(settings, hub, read_side.read_models, projections=read_side.status)
    with TestClient(app) as client:
        console = Console(settings, hub, read_side, client)
        for n, case in enumerate(console.every()[:2]):
            assign = """mutation($key: String!, $id: String!) { assignException(
              idempotencyKey: $id, input: {key: $key, owner: "bea"}) { __typename } }"""
            console.graphql(assign, {"key": case.key, "id": f"assign-{n}"})
        read_side.runner.catch_up()
        yield console
    read_side.close()
    hub.close()


def pages(console: Console, arguments: str, **identity: Any) -> tuple[list[dict[str, Any]], Any]:
    """Every page of the queue under these arguments, three cases a page: the cases and the
    first page's totalCount."""
    found: list[dict[str, Any]] = []
    after, total = None, None
    while True:
        answer = console.graphql(QUEUE % arguments, {"after": after}, **identity)
        assert "errors" not in answer, answer
        page = answer["data"]["exceptions"]
        total = page["totalCount"] if total is None else total
        found += page["items"]
        if not page["hasNextPage"]:
            return found, total
        after = page["endCursor"]


def test_the_queue_filtered_in_the_store_holds_the_cases_filtering_every_case_would(
    console: Console,
) -> None:
    every = console.every()
    now = datetime.now(UTC)
    ages = sorted({case.opened_at for case in every})
    middle = ages[len(ages) // 2]  # half-way between two openings: no case on the boundary
    hours = (now - (middle + (ages[len(ages) // 2 + 1] - middle) / 2)).total_seconds() / 3600
    supplier = every[-1].supplier
    filters: dict[str, Callable[[ExceptionView], bool]] = {
        "status: open": lambda c: c.status == "open",
        "status: null": lambda c: True,
        "category: tolerance_breach": lambda c: (
            c.status == "open" and c.category == "tolerance_breach"
        ),
        "ownerRole: ap, status: null": lambda c: c.owner_role == "ap",
        'owner: "bea"': lambda c: c.status == "open" and c.owner == "bea",
        f'supplier: "{supplier}"': lambda c: c.status == "open" and c.supplier == supplier,
        f"olderThanHours: {hours:.6f}, status: null": lambda c: c.age_hours(now) >= hours,
        "breached: true": lambda c: c.breached(now),
        "breached: false, status: null": lambda c: c.status == "open" and not c.breached(now),
        "breached: true, ownerRole: buyer": lambda c: c.breached(now) and c.owner_role == "buyer",
    }

    for arguments, held in filters.items():
        found, total = pages(console, arguments)

        expected = [case.key for case in every if held(case)]
        assert [case["key"] for case in found] == expected, arguments
        assert total == len(expected), arguments
    # Every filter holds some cases of the demo but this one: its dates are all past.
    empty = [arguments for arguments, held in filters.items() if not any(map(held, every))]
    assert empty in ([], ["breached: false, status: null"])


def test_each_case_names_the_order_it_concerns_as_it_did_read_one_by_one(
    console: Console,
) -> None:
    read = console.read_side.read_models
    found, _ = pages(console, "status: null")

    for case in found:
        order = read.case_purchase_order(case["key"], None)
        assert case["purchaseOrder"] == ({"number": order.number} if order else None)
    assert {c["purchaseOrder"] is None for c in found} == {False}
    documents = {case.document.split(":")[0] for case in console.every()}
    assert {"po", "receipt"} <= documents or {"po", "invoice"} <= documents


def test_a_page_of_cases_reads_its_orders_together_not_one_by_one(console: Console) -> None:
    page = "{ exceptions(status: null, first: 40) { items { key %s } } }"

    with counted_reads(console.read_side) as bare:
        without = console.graphql(page % "")["data"]["exceptions"]["items"]
    with counted_reads(console.read_side) as reads:
        answer = console.graphql(page % "purchaseOrder { number }")
    cases = answer["data"]["exceptions"]["items"]

    assert len(cases) == len(without) >= 20
    assert all(case["purchaseOrder"] for case in cases)
    # The orders in one read, the link rows of the receipts' and invoices' cases in another.
    assert (bare.count, reads.count) == (1, 3)


def test_a_supplier_filters_only_its_own_cases_and_is_not_told_how_many_there_are(
    console: Console,
) -> None:
    mine = console.every()[0].supplier
    other = next(case.supplier for case in console.every() if case.supplier != mine)

    own, total = pages(console, "status: null", role=Role.SUPPLIER, supplier=mine)
    elsewhere, _ = pages(console, f'supplier: "{other}"', role=Role.SUPPLIER, supplier=mine)

    keys = {case.key for case in console.every() if case.supplier == mine}
    assert own and {case["key"] for case in own} <= keys
    assert total is None
    assert elsewhere == []


def test_the_plant_filter_holds_the_cases_whose_order_ships_to_it(console: Console) -> None:
    read = console.read_side.read_models
    plants = {
        case.key: {line.ship_to for line in order.lines}
        for case in console.every()
        if case.status == "open" and (order := read.case_purchase_order(case.key, None))
    }
    plant = sorted({p for found in plants.values() for p in found})[0]

    found, total = pages(console, f'plant: "{plant}"')

    expected = [c.key for c in console.every() if plant in plants.get(c.key, set())]
    assert [case["key"] for case in found] == expected
    assert expected and len(expected) < len(plants)
    assert total is None  # counted through the orders, not in one statement: not offered


def test_a_cursor_from_nowhere_is_refused_naming_the_argument(console: Console) -> None:
    answer = console.graphql(QUEUE % 'owner: "bea"', {"after": "not-a-cursor"})

    assert answer["data"] is None
    assert answer["errors"][0]["message"] == (
        "after: is not a cursor this API gave out: pass an endCursor"
    )


def test_the_console_counts_are_what_walking_every_page_counted(console: Console) -> None:
    read = console.read_side.read_models
    orders = read.purchase_orders(None, PurchaseOrderFilter(), 1000).items
    now = datetime.now(UTC)
    open_cases = [case for case in console.every() if case.status == "open"]

    def alerted(kind: str) -> set[str]:  # the alerts' computation over every order
        return {a.document for a in service_levels.alerts(orders, now) if a.kind == kind}

    answer = console.client.get("/console/counts", headers=console.bearer(Role.AP))

    assert answer.status_code == 200, answer.text
    counts = answer.json()
    assert {k: v for k, v in counts.items() if k != "at"} == {
        "open_cases": len(open_cases),
        "overdue_cases": sum(case.breached(now) for case in open_cases),
        "needing_action": sum(po.needs_action for po in orders),
        "blocked_invoices": sum(
            invoice.match_status == "blocked" for po in orders for invoice in po.invoices
        ),
        "late_responses": len(alerted("unacknowledged_revision")),
        "missing_asns": len(alerted("asn_missing")),
        "receipt_variances": sum(c.category == "quantity_variance" for c in open_cases),
    }
    assert counts["blocked_invoices"] and counts["needing_action"]
    assert counts["receipt_variances"]
    refused = console.client.get(
        "/console/counts", headers=console.bearer(Role.SUPPLIER, "SUP-ACME")
    )
    assert refused.status_code == 403
    total = console.graphql("{ purchaseOrders(needsAction: true, first: 1) { totalCount } }")
    assert total["data"]["purchaseOrders"]["totalCount"] == counts["needing_action"]


def test_a_queue_table_made_before_the_filter_columns_gets_them_filled_on_opening(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, dev_mode=True)
    hub = open_hub(settings)
    run_steps(hub, purchase_orders=8)
    read_side = open_read_side(settings, hub)
    read_side.runner.catch_up()
    cases = read_side.read_models.exceptions(None, status=None)
    with read_side.store.transaction() as session:  # the table as the previous release made it
        session.cur.execute("DROP INDEX view_exceptions_v1_document")
        session.cur.execute("DROP INDEX view_exceptions_v1_owner")
        session.cur.execute("DROP INDEX view_exceptions_v1_category")
        for column in ("owner", "due_at", "document"):
            session.cur.execute(f"ALTER TABLE view_exceptions_v1 DROP COLUMN {column}")
        session.cur.execute("DROP INDEX view_purchase_orders_v1_needs_action")
    read_side.close()

    reopened = open_read_side(settings, hub)
    case = cases[0]
    found = reopened.read_models.cases_on(case.supplier, (case.document,))
    later = datetime.now(UTC) + timedelta(days=999)
    overdue = reopened.read_models.count_cases(CaseFilter(due_before=later))

    assert case in found
    assert overdue == sum(c.status == "open" for c in cases)
    with reopened.store.transaction() as session:
        indexes = {
            name
            for table in ("view_purchase_orders_v1", "view_exceptions_v1")
            for name in reopened.store.dialect.index_names(session.cur, table)
        }
    assert {
        "view_purchase_orders_v1_needs_action", "view_exceptions_v1_document",
        "view_exceptions_v1_category",  # the work lists' counts, per category
        "view_exceptions_v1_owner",  # the queue's "Mine"
    } <= indexes  # fmt: skip
    reopened.close()
    hub.close()


def test_the_blocked_invoices_page_by_order_and_number_one_read_a_page(
    console: Console,
) -> None:
    read = console.read_side.read_models
    orders = read.purchase_orders(None, PurchaseOrderFilter(), 1000).items
    expected = sorted(
        (i.po_number, i.invoice_number, i.block_reasons)
        for po in orders for i in po.invoices if i.match_status == "blocked"
    )  # fmt: skip
    assert expected

    pages, after, seen = 0, None, []
    with counted_reads(console.read_side) as reads:
        while page := read.blocked_invoice_page(None, 1, after):
            pages += 1
            seen += [(i.po_number, i.invoice_number, i.block_reasons) for i in page]
            after = (page[-1].po_number, page[-1].invoice_number)

    assert seen == expected
    assert reads.count == pages + 1  # one indexed read a page, and one finding the end
    supplier = orders[0].supplier
    mine = read.blocked_invoice_page(supplier, 100)
    assert [i.invoice_number for i in mine] == [
        number for po, number, _ in expected if read.purchase_order(po, supplier)
    ]


@dataclass
class Reads:
    count: int = 0


def counted_reads(read_side: ReadSide) -> AbstractContextManager[Reads]:
    """Counts the statements read from the live view tables (not the tracking positions the
    response cache asks now and then)."""
    store: Any = read_side.store
    live_rows = store._live_rows
    reads = Reads()

    def counting(*args: Any) -> Any:
        reads.count += 1
        return live_rows(*args)

    class Counting:
        def __enter__(self) -> Reads:
            store._live_rows = counting
            return reads

        def __exit__(self, *_: object) -> None:
            del store._live_rows

    return Counting()


def test_a_cases_order_carries_every_field_the_query_selects_even_through_a_fragment(
    console: Console,
) -> None:
    fields = "number lines { lineNumber shipTo } invoices { invoiceNumber matchStatus }"
    direct = (
        f"{{ exceptions(status: null, first: 50) {{ items {{ purchaseOrder {{ {fields} }} }} }} }}"
    )
    fragment = (
        "query { exceptions(status: null, first: 50) { items { purchaseOrder { ...Order } } } }"
        f" fragment Order on PurchaseOrder {{ {fields} }}"
    )

    for query in (direct, fragment):
        items = console.graphql(query)["data"]["exceptions"]["items"]
        for item in items:
            order = item["purchaseOrder"]
            expected = console.graphql(
                f'{{ purchaseOrder(number: "{order["number"]}") {{ {fields} }} }}'
            )["data"]["purchaseOrder"]
            assert order == expected
        assert any(item["purchaseOrder"]["invoices"] for item in items), query


def test_the_trace_of_an_order_reads_its_documents_cases_and_events_in_three_reads(
    console: Console,
) -> None:
    read = console.read_side.read_models
    every = console.every()
    po = next(
        po for po in read.purchase_orders(None, PurchaseOrderFilter(), 100).items
        if po.shipments and po.receipts and po.invoices
        and any(case.document == f"po:{po.number}" for case in every)
    )  # fmt: skip
    url = f"/console/purchase-orders/{po.number}/trace"

    with counted_reads(console.read_side) as reads:
        answer = console.client.get(url, headers=console.bearer(Role.AUDITOR))

    assert answer.status_code == 200, answer.text
    trace = answer.json()
    cases = [f"exception:{c.key}" for c in every if c.document == f"po:{po.number}"]
    assert set(cases) <= set(trace["documents"]) and len(trace["documents"]) >= 5
    assert {step["document"] for step in trace["steps"]} == set(trace["documents"])
    assert reads.count == 3  # the order, the cases on its documents, every document's events
