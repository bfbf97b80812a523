"""End to end over HTTP: a real uvicorn on 127.0.0.1, the real read side, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import graphql
import httpx
import pytest
from live_server import LiveHub, graphql_post, serving, token
from servers import PostgresServer

from api.graphql.schema import build_schema
from supplyhub.settings import Settings

OTHERS = ("SUP-BOREAL", "SUP-CYPRESS", "SUP-DELTA")
# The demo gives every fourth PO to Acme: 4500000001, 4500000005, ...
ACME_POS = {f"45000{n:05d}" for n in range(1, 37, 4)}
OTHER_POS = {f"45000{n:05d}" for n in range(1, 37)} - ACME_POS


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveHub]:
    data_dir = tmp_path_factory.mktemp("api-e2e")
    if request.param == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url = postgres.create_database(f"api_e2e_{uuid.uuid4().hex[:8]}")
        settings = Settings(database_url=url, data_dir=data_dir, dev_mode=True)
    else:
        settings = Settings(data_dir=data_dir, dev_mode=True)
    with serving(settings) as hub:
        yield hub


def test_a_portal_developer_opens_graphiql_and_acknowledges_a_demo_po(live: LiveHub) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    release_for_acme(live, token("--role", "connector"), "4500000301")
    assert "graphiql" in httpx.get(f"{live.url}/graphql").text.lower()
    waiting = graphql_post(
        live, acme, "{ purchaseOrders(needsAction: true, first: 50) { items { number revision "
        "lines { lineNumber } } } }",
    ).json()["data"]["purchaseOrders"]["items"]  # fmt: skip
    po = waiting[0]
    lines = [{"lineNumber": line["lineNumber"], "code": "Accepted"} for line in po["lines"]]
    answer = graphql_post(
        live, acme,
        "mutation($po: String!, $rev: Int!, $lines: [LineAnswerInput!]!) {"
        " acknowledgePurchaseOrder(idempotencyKey: \"e2e-ack-1\","
        "  input: {poNumber: $po, revision: $rev, lines: $lines})"
        " { __typename ... on Accepted { status revision } } }",
        po=po["number"], rev=po["revision"], lines=lines,
    ).json()["data"]["acknowledgePurchaseOrder"]  # fmt: skip
    assert answer == {"__typename": "Accepted", "status": "applied", "revision": po["revision"]}
    query = "query($n: String!) { purchaseOrder(number: $n) { acknowledgedRevision needsAction } }"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        seen = graphql_post(live, acme, query, n=po["number"]).json()["data"]["purchaseOrder"]
        if seen["acknowledgedRevision"] == po["revision"]:
            break
        time.sleep(0.05)
    assert seen == {"acknowledgedRevision": po["revision"], "needsAction": False}


def release_for_acme(live: LiveHub, connector: dict[str, str], number: str) -> None:
    """The ERP releases a PO (the demo's Acme POs are all answered) and the views catch up."""
    line = {"line_number": 10, "item": "BRKT-1001", "quantity": "50", "uom": "EA",
            "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
    body = {"po_number": number, "supplier": "SUP-ACME", "currency": "EUR", "lines": [line]}
    released = httpx.post(
        f"{live.url}/api/v1/purchase-orders", json=body,
        headers={**connector, "Idempotency-Key": f"release-{number}"},
    )  # fmt: skip
    assert released.status_code == 201, released.text
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=10)
    time.sleep(0.05)  # the API re-reads the views' position at most every 20 ms


def every_field(type_: graphql.GraphQLNamedType, depth: int = 0) -> str:
    """A selection of every field reachable without required arguments."""
    assert isinstance(type_, graphql.GraphQLObjectType)
    selected = []
    for name, field in type_.fields.items():
        if any(graphql.is_non_null_type(arg.type) for arg in field.args.values()):
            continue
        inner = graphql.get_named_type(field.type)
        if isinstance(inner, graphql.GraphQLObjectType):
            if depth < 3:
                selected.append(f"{name} {{ {every_field(inner, depth + 1)} }}")
        else:
            selected.append(name)
    return " ".join(selected)


def test_supplier_a_never_sees_anything_of_another_supplier(live: LiveHub) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    schema = graphql.build_schema(build_schema().as_str())
    types = {name: every_field(schema.get_type(name)) for name in  # type: ignore[arg-type]
             ("PurchaseOrderPage", "PurchaseOrder", "ExceptionCase", "SupplierKpis")}  # fmt: skip
    answers: list[str] = []
    filters = itertools.product(
        [None, "open", "cancelled", "closed"], [None, True, False],
        [(None, None), ("2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z"),
         ("2026-11-03T00:00:00Z", "2027-01-01T00:00:00Z")],
    )  # fmt: skip
    page_query = (
        "query($s: String, $na: Boolean, $f: DateTime, $t: DateTime, $a: String) {"
        " purchaseOrders(status: $s, needsAction: $na, releasedFrom: $f, releasedTo: $t,"
        f" first: 5, after: $a) {{ {types['PurchaseOrderPage']} }} }}"
    )
    for status, needs_action, (start, end) in filters:
        after = None
        while True:
            response = graphql_post(
                live, acme, page_query, s=status, na=needs_action, f=start, t=end, a=after
            )
            answers.append(response.text)
            page = response.json()["data"]["purchaseOrders"]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
    for number in sorted(ACME_POS | OTHER_POS):
        query = f'{{ purchaseOrder(number: "{number}") {{ {types["PurchaseOrder"]} }} }}'
        answers.append(graphql_post(live, acme, query).text)
    for status, owner_role in itertools.product([None, "open", "resolved"], [None, "buyer", "ap"]):
        query = (
            "query($s: CaseStatus, $o: OwnerRole) {"
            " exceptions(status: $s, ownerRole: $o, first: 100)"
            f" {{ items {{ {types['ExceptionCase']} }} }} kpis {{ {types['SupplierKpis']} }} }}"
        )
        answers.append(graphql_post(live, acme, query, s=status, o=owner_role).text)

    everything = "\n".join(answers)
    assert all('"errors"' not in answer for answer in answers)
    assert "SUP-ACME" in everything and any(n in everything for n in ACME_POS)
    assert [s for s in OTHERS if s in everything] == []
    assert [n for n in OTHER_POS if n in everything] == []
    for internal in ("matchStatus", "blockReasons", "duplicateSubmissions"):
        assert f'"{internal}":null' in everything
        assert f'"{internal}":"' not in everything and f'"{internal}":[' not in everything


@contextmanager
def connections_opened() -> Iterator[list[tuple[str, int]]]:
    """Every outbound socket connection this process opens meanwhile (an audit hook)."""
    opened: list[tuple[str, int]] = []
    recording = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if recording[0] and event == "socket.connect" and isinstance(args[1], tuple):
            opened.append((str(args[1][0]), int(args[1][1])))

    sys.addaudithook(hook)  # hooks cannot be removed; this one goes quiet on exit
    try:
        yield opened
    finally:
        recording[0] = False


def test_portal_queries_answer_with_no_erp_anywhere(live: LiveHub) -> None:
    """The hub has no ERP client at all: while portal queries run, the only connections
    opened are the test's own to the server and the server's to its store, on loopback."""
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    server_port = int(live.url.rsplit(":", 1)[1])
    store_port = httpx.URL(live.settings.database_url or "sqlite://x").port
    with connections_opened() as opened:
        for first in (3, 4, 5):  # distinct queries: each one resolved, not cached
            response = graphql_post(
                live, acme, f"{{ purchaseOrders(first: {first}) {{ items {{ number }} }} }}"
            )
            assert len(response.json()["data"]["purchaseOrders"]["items"]) == first
    assert opened, "the audit hook saw nothing: the test would prove nothing"
    assert {host for host, _ in opened} == {"127.0.0.1"}
    assert {port for _, port in opened} <= {server_port, store_port}


def test_a_repeated_query_is_cached_with_an_etag_that_changes_when_the_views_move(
    live: LiveHub,
) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    connector = token("--role", "connector", "--subject", "sap")
    query = "{ purchaseOrders(first: 50) { items { number status } } }"
    first = graphql_post(live, acme, query)
    again = graphql_post(live, acme, query)
    unchanged = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": {}},
        headers={**acme, "If-None-Match": first.headers["etag"]},
    )  # fmt: skip
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert unchanged.status_code == 304 and unchanged.content == b""

    cancelled = httpx.post(
        f"{live.url}/api/v1/purchase-orders/4500000033/cancellation", json={"reason": "MRP"},
        headers={**connector, "Idempotency-Key": "e2e-cancel-33"},
    )  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=10)
    time.sleep(0.05)  # the API re-reads the views' position at most every 20 ms
    after = graphql_post(live, acme, query)
    assert after.headers["etag"] != first.headers["etag"]
    assert '{"number":"4500000033","status":"cancelled"}' in after.text


def test_an_erp_developer_posts_the_openapi_example_and_retries_safely(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    auditor = token("--role", "auditor", "--subject", "kim")
    openapi = httpx.get(f"{live.url}/openapi.json").json()
    body = openapi["paths"]["/api/v1/purchase-orders"]["post"]["requestBody"]
    example = body["content"]["application/json"]["examples"]["release"]["value"]
    headers = {**connector, "Idempotency-Key": "e2e-release-101", "X-Correlation-Id": "c-101"}
    created = httpx.post(f"{live.url}/api/v1/purchase-orders", json=example, headers=headers)
    retried = httpx.post(f"{live.url}/api/v1/purchase-orders", json=example, headers=headers)
    assert created.status_code == 201, created.text
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json() == {**created.json(), "replayed": True}

    history = httpx.get(
        f"{live.url}/api/v1/purchase-orders/4500000101/history", params={"revision": 1},
        headers=auditor,
    ).json()  # fmt: skip
    assert history["events"][0]["actor"] == "connector:sap"
    assert history["events"][0]["correlation_id"] == "c-101"
    assert history["state"]["revision"] == 1 and len(history["state"]["lines"]) == 2


def test_bad_input_is_a_problem_naming_the_field_and_never_a_server_error(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    line = {"line_number": 10, "item": "X", "quantity": "0", "uom": "EA", "unit_price": "1",
            "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
    body = {"po_number": "4500000202", "supplier": "SUP-ACME", "currency": "EUR", "lines": [line]}
    refused = httpx.post(
        f"{live.url}/api/v1/purchase-orders", json=body,
        headers={**connector, "Idempotency-Key": "e2e-bad-1"},
    )  # fmt: skip
    unparsable = httpx.post(
        f"{live.url}/api/v1/purchase-orders", json={**body, "lines": [{**line, "quantity": "x"}]},
        headers={**connector, "Idempotency-Key": "e2e-bad-2"},
    )  # fmt: skip
    too_big = httpx.post(
        f"{live.url}/api/v1/bulk", content=b"x" * (live.settings.max_body_bytes + 1),
        headers={**connector, "Content-Type": "application/json"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert (refused.json()["field"], refused.json()["rule"]) == (
        "lines[0].quantity", "must be greater than 0",
    )  # fmt: skip
    assert unparsable.status_code == 422 and unparsable.json()["field"] == "lines[0].quantity"
    assert too_big.status_code == 413


def test_readiness_reports_the_lag_and_metrics_count_requests(live: LiveHub) -> None:
    ready = httpx.get(f"{live.url}/readyz")
    metrics = httpx.get(f"{live.url}/metrics", headers=token("--role", "admin")).text
    assert ready.status_code == 200 and ready.json()["store"] is True
    assert 'supplyhub_http_requests_total{method="GET",route="/readyz",status="200"}' in metrics
    assert 'supplyhub_http_requests_total{method="POST",route="/graphql",status="200"}' in metrics
    assert "supplyhub_projection_lag_events" in metrics
