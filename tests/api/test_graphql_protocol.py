"""Malformed GraphQL requests over a real server: a 4xx naming what is wrong, no Python text,
and the keep-alive connection still serving the next request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_read_models import FakeReadModels
from fastapi.testclient import TestClient
from live_server import LiveHub, serving, serving_app

from api.app import create_app
from api.auth import AuthConfig, Role
from api.health import Readiness
from connectors.demo import run_scenario
from domain.application import SupplyHub
from projections.read_models import PurchaseOrderView, SupplierKpis
from supplyhub.settings import Settings

GOOD = b'{"query": "{ purchaseOrders(first: 1) { items { number } } }"}'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    data_dir: Path = tmp_path_factory.mktemp("graphql-protocol")
    with serving(Settings(data_dir=data_dir, dev_mode=True), purchase_orders=8) as hub:
        yield hub


@pytest.fixture
def portal(live: LiveHub) -> Iterator[httpx.Client]:
    """One keep-alive connection, as a portal's HTTP client holds it."""
    token = AuthConfig(live.settings.jwt_secret).issue(Role.SUPPLIER, "portal", "SUP-ACME")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=live.url, headers=headers) as client:
        yield client


def local_address(response: httpx.Response) -> object:
    """The client's end of the connection the response came on: the same one means reused."""
    return response.extensions["network_stream"].get_extra_info("client_addr")


def query(text: str) -> bytes:
    return httpx.Request("POST", "/", json={"query": text}).content


MALFORMED = {
    "an empty query": (b'{"query": ""}', 400, "`query` is empty"),
    "a blank query": (b'{"query": "  \\n "}', 400, "`query` is empty"),
    "an unknown operationName": (
        b'{"query": "query Mine { kpis { supplier } }", "operationName": "Theirs"}',
        400, "no operation named 'Theirs'",
    ),
    "an operationName for an anonymous query": (
        b'{"query": "{ kpis { supplier } }", "operationName": "Mine"}',
        400, "no operation named 'Mine'",
    ),
    "a document with no operation": (
        b'{"query": "fragment F on SupplierKpis { supplier }"}', 400, "holds no operation",
    ),
    "a body that is not JSON": (b"{query: kpis}", 400, "not JSON"),
    "a JSON array": (b"[1, 2]", 400, "a JSON object with a `query` string"),
    "a query that is not a string": (b'{"query": 5}', 400, "a JSON object with a `query` string"),
    "variables that are not an object": (
        b'{"query": "{ kpis { supplier } }", "variables": [1]}', 400, "`variables` must be",
    ),
    "a cursor that is not base64": (
        query('{ purchaseOrders(first: 1, after: "abc") { items { number } } }'),
        200, "after: is not a cursor this API gave out",
    ),
    "a cursor that is not text": (
        query('{ purchaseOrders(first: 1, after: "//8=") { items { number } } }'),
        200, "after: is not a cursor this API gave out",
    ),
    "a date-time with no UTC equivalent": (
        query('{ purchaseOrders(first: 1, releasedFrom: "9999-12-31T23:59:59-05:00") { items '
              "{ number } } }"),
        400, "releasedFrom: Value cannot represent a DateTime: '9999-12-31T23:59:59-05:00'. "
        "Expected an ISO 8601 date-time within the years 0001 to 9999 in UTC",
    ),
    "a month 13": (
        query('{ purchaseOrders(first: 1, releasedTo: "2026-13-01T00:00:00Z") { items '
              "{ number } } }"),
        400, "releasedTo: Value cannot represent a DateTime: '2026-13-01T00:00:00Z'",
    ),
    "a date-time variable out of range": (
        httpx.Request("POST", "/", json={
            "query": "query Since($from: DateTime) { purchaseOrders(first: 1, releasedFrom: $from) "
                     "{ items { number } } }",
            "variables": {"from": "0001-01-01T00:00:00+05:00"},
        }).content,
        400, "Variable '$from' has invalid value: Value cannot represent a DateTime: "
        "'0001-01-01T00:00:00+05:00'. Expected an ISO 8601 date-time",
    ),
    "a Date input of month 13": (
        query('mutation { acknowledgePurchaseOrder(idempotencyKey: "k", input: {poNumber: '
              '"4500000001", revision: 1, lines: [{lineNumber: 10, code: "Accepted", '
              'confirmedDate: "2026-13-01"}]}) { __typename } }'),
        400, "confirmedDate: Value cannot represent a Date: '2026-13-01'. Expected an ISO 8601 "
        "date",
    ),
    "a huge query": (query("{ " + "kpis { supplier } " * 5000 + "}"), 400, "more than 2000 tokens"),
}  # fmt: skip
PYTHON_TEXT = ("padding", "base64", "codec", "out of range", "must be in 1..12", "Traceback")


@pytest.mark.parametrize("body, status, says", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_graphql_request_is_refused_clearly_and_the_connection_lives_on(
    portal: httpx.Client, body: bytes, status: int, says: str
) -> None:
    before = portal.post("/graphql", content=GOOD)
    refused = portal.post("/graphql", content=body)
    after = portal.post("/graphql", content=GOOD)

    assert refused.status_code == status, refused.text
    assert says in refused.text
    assert not any(text in refused.text for text in PYTHON_TEXT), refused.text
    if status == 200:  # a field refused: the answer is GraphQL's, naming the argument
        assert refused.json()["data"] is None
    assert after.status_code == 200 and after.json()["data"]["purchaseOrders"]["items"]
    assert local_address(after) == local_address(before)


class BrokenReadModels(FakeReadModels):
    """Views that fail as a bug would: with Python's words, which no client may read."""

    def kpis(self, supplier: str | None) -> tuple[SupplierKpis, ...]:
        raise OverflowError("date value out of range")

    def purchase_order(self, number: str, supplier: str | None) -> PurchaseOrderView | None:
        if number == "broken":
            raise OverflowError("date value out of range")
        return super().purchase_order(number, supplier)


def test_a_server_fault_is_a_500_without_python_text_and_the_connection_lives_on() -> None:
    auth = AuthConfig("protocol-test-secret-of-at-least-32-chars")
    hub = SupplyHub()
    app = create_app(hub, BrokenReadModels.two_suppliers(), lambda: Readiness(True, 0), auth)
    headers = {"Authorization": f"Bearer {auth.issue(Role.CONNECTOR)}"}
    with serving_app(app) as url, httpx.Client(base_url=url, headers=headers) as connector:
        before = connector.get("/api/v1/purchase-orders/nothing-here")
        fault = connector.get("/api/v1/purchase-orders/broken")
        after = connector.get("/api/v1/purchase-orders/nothing-here")
        same_connection = local_address(after) == local_address(before)
    hub.close()

    assert fault.status_code == 500 and fault.json()["title"] == "internal error"
    assert "out of range" not in fault.text
    assert before.status_code == after.status_code == 404
    assert same_connection


def test_an_unexpected_fault_in_a_resolver_reaches_the_client_without_python_text() -> None:
    auth = AuthConfig("protocol-test-secret-of-at-least-32-chars")
    hub = SupplyHub()
    run_scenario(hub, 4)
    app = create_app(hub, BrokenReadModels.two_suppliers(), lambda: Readiness(True, 0), auth)
    token = auth.issue(Role.SUPPLIER, "portal", "SUP-ACME")
    with TestClient(app) as client:
        answer = client.post(
            "/graphql", json={"query": "{ kpis { supplier } }"},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    assert answer.status_code == 200
    assert answer.json()["errors"] == [
        {"message": "internal error: this field could not be answered", "path": ["kpis"]}
    ]
