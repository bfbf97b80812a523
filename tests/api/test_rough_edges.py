"""Rough edges a new user found in the API, over HTTP against a real uvicorn and the demo data:
the order behind a receipt's or an invoice's case, and enums where statuses were strings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser import ask, token
from live_server import LiveHub, serving

from api.auth import Role
from domain.acknowledgement import AckStatus
from domain.exception_case import Category
from supplyhub.settings import Settings


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("rough-edges"), dev_mode=True)
    with serving(settings) as hub:
        head = hub.hub.recorder.max_notification_id() or 0
        assert hub.read_side.runner.wait_until(head, 10)
        yield hub


CASES = """{ exceptions(status: null, first: 100) { items { document
  purchaseOrder { number receipts { receiptNumber } invoices { invoiceNumber } } } } }"""


@pytest.mark.parametrize("kind", ["receipt", "invoice"])
def test_a_receipt_or_invoice_case_names_the_purchase_order_of_its_document(
    live: LiveHub, kind: str
) -> None:
    cases = [
        case for case in ask(live, CASES, Role.ADMIN)["exceptions"]["items"]
        if case["document"].startswith(f"{kind}:")
    ]  # fmt: skip
    assert cases, f"the demo has {kind} cases"
    for case in cases:
        number = case["document"].rpartition(":")[2]
        po = case["purchaseOrder"]
        assert po is not None, case
        documents = [r["receiptNumber"] for r in po["receipts"]] + [
            i["invoiceNumber"] for i in po["invoices"]
        ]
        assert number in documents


ENUM = '{{ __type(name: "{name}") {{ enumValues {{ name }} }} }}'


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("CaseCategory", {c.value for c in Category}),
        ("CaseStatus", {"open", "resolved"}),
        ("OwnerRole", {"buyer", "ap"}),
        ("AckStatus", {s.value for s in AckStatus}),
    ],
)
def test_statuses_are_graphql_enums_of_the_values_the_domain_uses(
    live: LiveHub, name: str, values: set[str]
) -> None:
    found = ask(live, ENUM.format(name=name), Role.ADMIN)["__type"]
    assert found is not None, f"{name} is not in the schema"
    assert {value["name"] for value in found["enumValues"]} == values


def test_the_exception_filters_refuse_a_status_that_is_no_status(live: LiveHub) -> None:
    headers = {"Authorization": f"Bearer {token(live, Role.BUYER, 'buyer-user', '')}"}
    response = httpx.post(
        f"{live.url}/graphql", json={"query": "{ exceptions(status: closed) { items { key } } }"},
        headers=headers,
    )  # fmt: skip
    assert "closed" in response.json()["errors"][0]["message"]


PAGE = """query($after: String) { exceptions(status: null, first: 3, after: $after) {
  items { key } endCursor hasNextPage } }"""
EVERY = "{ exceptions(status: null, first: 100) { items { key } hasNextPage } }"


def ask_with(live: LiveHub, query: str, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token(live, Role.ADMIN, 'admin-user', '')}"}
    response = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_exception_queue_pages_through_every_case_once_oldest_first(live: LiveHub) -> None:
    every = ask_with(live, EVERY)["data"]["exceptions"]
    assert not every["hasNextPage"] and len(every["items"]) > 3
    keys, after, pages = [], None, 0
    while True:
        page = ask_with(live, PAGE, after=after)["data"]["exceptions"]
        assert len(page["items"]) <= 3
        keys += [case["key"] for case in page["items"]]
        pages += 1
        if not page["hasNextPage"]:
            assert page["endCursor"] is None
            break
        after = page["endCursor"]
    assert keys == [case["key"] for case in every["items"]]
    assert pages == -(-len(keys) // 3)


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"after": "not-a-cursor"}, "after"), ({"after": "W10="}, "after")],
)
def test_a_bad_exception_cursor_is_refused_naming_it(
    live: LiveHub, variables: dict[str, str], field: str
) -> None:
    answer = ask_with(live, PAGE, **variables)
    assert "is not a cursor this API gave out" in answer["errors"][0]["message"]


def test_an_exception_page_larger_than_the_limit_is_refused(live: LiveHub) -> None:
    answer = ask_with(live, "{ exceptions(first: 100000) { items { key } } }")
    assert "first" in answer["errors"][0]["message"]
