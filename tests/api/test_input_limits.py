"""Issue 11's input-limit findings over HTTP: a real uvicorn, the real read side (SQLite).

Each test is one finding of the probe: what was stored (or a 500) is now a 422 naming
every broken field, and the portal's pages still render afterwards.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import LiveHub, serving

from connectors.nats.command_messages import InboundMessage, InvalidMessageError, to_command
from domain.errors import DomainError
from supplyhub.cli import main
from supplyhub.settings import Settings

LINE = {"line_number": 10, "item": "BRKT-1001", "quantity": "5", "uom": "EA",
        "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
PAGE = "query($after: String) { purchaseOrders(first: 100, after: $after) {" \
       " items { number lines { lineNumber orderedQuantity unitPrice needBy item } }" \
       " endCursor hasNextPage } }"  # fmt: skip
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("limits"), dev_mode=True)
    with serving(settings, purchase_orders=8) as hub:
        yield hub


def token(*args: str) -> dict[str, str]:
    """A bearer token from `supplyhub token create`, as a developer would get one."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["token", "create", *args]) == 0
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}


def release(live: LiveHub, body: dict[str, Any]) -> httpx.Response:
    headers = {**token("--role", "connector"), "Idempotency-Key": f"limits-{next(_keys)}"}
    return httpx.post(f"{live.url}/api/v1/purchase-orders", json=body, headers=headers)


def order(number: str, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"po_number": number, "supplier": "SUP-ACME", "currency": "EUR",
            "lines": list(lines) or [LINE], **fields}  # fmt: skip


def errors(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


def caught_up(live: LiveHub) -> None:
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=10)
    time.sleep(0.05)  # the API re-reads the views' position at most every 20 ms


def every_po_page(live: LiveHub, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every page of purchaseOrders the caller may read; each must render (data not null)."""
    pages, after = [], None
    while True:
        response = httpx.post(
            f"{live.url}/graphql", json={"query": PAGE, "variables": {"after": after}},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 200, response.text
        answer = response.json()
        assert "errors" not in answer and answer["data"] is not None, answer
        pages.append(answer["data"]["purchaseOrders"])
        if not pages[-1]["hasNextPage"]:
            return pages
        after = pages[-1]["endCursor"]


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64])
def test_a_line_number_beyond_999999_is_refused_and_every_po_page_still_renders(
    live: LiveHub, number: int
) -> None:
    refused = release(live, order(f"45100{number % 100000:05d}", {**LINE, "line_number": number}))
    caught_up(live)
    assert errors(refused) == [("lines[0].line_number", "must be from 1 to 999999")]
    assert every_po_page(live, token("--role", "buyer"))
    assert every_po_page(live, token("--role", "supplier", "--supplier", "SUP-ACME"))


def test_one_item_with_an_out_of_range_number_fails_only_that_item_of_a_bulk_request(
    live: LiveHub,
) -> None:
    items = [
        {"command": "release_purchase_order", "message_id": f"limits-bulk-{n}",
         "body": order(f"452000000{n}", {**LINE, "line_number": 2**64 if n == 1 else 10})}
        for n in range(3)
    ]  # fmt: skip
    response = httpx.post(
        f"{live.url}/api/v1/bulk", json={"items": items}, headers=token("--role", "connector")
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 422, 201]
    assert results[1]["problem"]["errors"] == [
        {"field": "lines[0].line_number", "rule": "must be from 1 to 999999"}
    ]


def test_a_bulk_item_that_does_not_parse_names_the_limits_it_breaks_in_the_same_answer(
    live: LiveHub,
) -> None:
    # A parse error (a word for a quantity) beside two broken limits: one answer names all
    bad = {**LINE, "line_number": 2**64, "item": "X" * 49, "quantity": "five"}
    items = [{"command": "release_purchase_order", "message_id": "limits-bulk-mixed",
              "body": order("4520000100", bad)}]  # fmt: skip
    response = httpx.post(
        f"{live.url}/api/v1/bulk", json={"items": items}, headers=token("--role", "connector")
    )
    (result,) = response.json()["results"]
    assert result["status"] == 422
    named = {(e["field"], e["rule"]) for e in result["problem"]["errors"]}
    assert ("lines[0].line_number", "must be from 1 to 999999") in named
    assert ("lines[0].item", "must be at most 48 characters") in named
    assert any(field == "lines[0].quantity" for field, _ in named)


def test_quantities_too_large_too_long_or_not_numbers_are_refused_naming_every_line(
    live: LiveHub,
) -> None:
    quantities = ["1E+1000000000", "9" * 5000, "NaN", "0.0000001"]
    lines = [{**LINE, "line_number": 10 * (n + 1), "quantity": q} for n, q in enumerate(quantities)]
    refused = release(live, order("4530000001", *lines))
    assert errors(refused) == [
        ("lines[0].quantity", "must have at most 15 digits before the decimal point"),
        ("lines[1].quantity", "must have at most 15 digits before the decimal point"),
        ("lines[2].quantity", "must be a finite number"),
        ("lines[3].quantity", "must have at most 6 decimal places"),
    ]
    assert refused.json()["field"] == "lines[0].quantity"  # the single-error fields remain


def test_oversized_numbers_and_codes_nul_bytes_and_ten_thousand_lines_are_refused(
    live: LiveHub,
) -> None:
    long_number = release(live, order("4" * 100_000))
    huge_item = release(live, order("4540000001", {**LINE, "item": "X" * 1_000_000}))
    nul = release(live, order("4540000002", {**LINE, "ship_to": "PLANT\x00DE01"}))
    many = [{**LINE, "line_number": n} for n in range(1, 10_001)]
    too_many = release(live, order("4540000003", *many))
    assert errors(long_number) == [("po_number", "must be at most 35 characters")]
    assert errors(huge_item) == [("lines[0].item", "must be at most 48 characters")]
    assert errors(nul) == [("lines[0].ship_to", "must not contain control characters")]
    assert errors(too_many) == [("lines", "must have at most 9999 items")]


def test_an_acknowledgement_of_minus_five_1e308_or_year_one_is_invalid_input_naming_each(
    live: LiveHub,
) -> None:
    lines = [{**LINE, "line_number": n} for n in (10, 20, 30)]
    assert release(live, order("4550000001", *lines)).status_code == 201
    answers = [
        {"lineNumber": 10, "code": "Accepted", "confirmedQuantity": "-5"},
        {"lineNumber": 20, "code": "Accepted", "confirmedQuantity": "1e308"},
        {"lineNumber": 30, "code": "Accepted", "confirmedDate": "0001-01-01"},
    ]
    query = (
        "mutation($lines: [LineAnswerInput!]!) { acknowledgePurchaseOrder("
        ' idempotencyKey: "limits-ack-1", input: {poNumber: "4550000001", revision: 1,'
        " lines: $lines}) { __typename ... on InvalidInput { field rule errors { field rule } } } }"
    )
    response = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": {"lines": answers}},
        headers=token("--role", "supplier", "--supplier", "SUP-ACME"),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    answer = response.json()["data"]["acknowledgePurchaseOrder"]
    assert answer["__typename"] == "InvalidInput"
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [
        ("lines[0].confirmedQuantity", "must not be negative"),
        ("lines[1].confirmedQuantity", "must have at most 15 digits before the decimal point"),
        ("lines[2].confirmedDate", "must be from 1900-01-01 to 2199-12-31"),
    ]
    assert (answer["field"], answer["rule"]) == ("lines[0].confirmedQuantity",
                                                 "must not be negative")  # fmt: skip


# --- fuzzing every edge with extreme values --------------------------------------------------

INTS = st.sampled_from([0, -1, 999_999, 1_000_000, 2**31, 2**63, 2**64, -(2**63)]) | st.integers()
AMOUNTS = st.sampled_from(
    ["1E+1000000000", "9" * 5000, "NaN", "-Infinity", "sNaN", "-5", "0", "1e308", "0.0000001",
     "1e-400", "0E+30", "x", ""]
) | st.decimals(allow_nan=False).map(str) | st.floats()  # fmt: skip
TEXTS = st.sampled_from(["", "\x00", "\ud800", "\x85", "a" * 36, "x" * 100_000]) | st.text()
DATES = st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "2026-02-30"]) \
    | st.dates().map(date.isoformat)  # fmt: skip
NUMBERS = st.integers(4_560_000_000, 4_560_000_999).map(str)


def good_or(good: Any, extreme: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a sane value, so that some commands apply; otherwise an extreme one."""
    return st.just(good) | extreme


ORDER_LINES = st.fixed_dictionaries({
    "line_number": good_or(10, INTS), "item": good_or("BRKT-1001", TEXTS),
    "quantity": good_or("5", AMOUNTS), "uom": good_or("EA", TEXTS),
    "unit_price": good_or("4.75", AMOUNTS), "need_by": good_or("2026-12-01", DATES),
    "ship_to": good_or("PLANT-DE01", TEXTS), "description": good_or("", TEXTS),
})  # fmt: skip
RELEASES = st.fixed_dictionaries({
    "po_number": good_or("4560000000", NUMBERS | TEXTS), "supplier": st.just("SUP-ACME"),
    "currency": good_or("EUR", TEXTS), "lines": st.lists(ORDER_LINES, max_size=3),
})  # fmt: skip
ANSWERS = st.fixed_dictionaries({
    "lineNumber": good_or(10, INTS), "code": good_or("Accepted", TEXTS),
    "confirmedQuantity": good_or(None, AMOUNTS.map(str)),
    "confirmedDate": good_or(None, DATES), "note": good_or("", TEXTS),
})  # fmt: skip
ACKNOWLEDGE = (
    "mutation($key: String!, $po: String!, $revision: Int!, $lines: [LineAnswerInput!]!) {"
    " acknowledgePurchaseOrder(idempotencyKey: $key,"
    " input: {poNumber: $po, revision: $revision, lines: $lines}) { __typename } }"
)
RESULTS = {"Accepted", "StaleRevision", "ToleranceExceeded", "InvalidInput", "NotFound",
           "Conflict", "Forbidden"}  # fmt: skip


def key() -> str:
    return f"fuzz-{next(_keys)}"


def post(live: LiveHub, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    """JSON as a careless client may send it: NaN and Infinity tokens, escaped lone surrogates
    (which httpx's own encoder refuses)."""
    content = json.dumps(body)
    headers = {**headers, "Content-Type": "application/json"}
    return httpx.post(f"{live.url}{path}", content=content, headers=headers, timeout=30)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(release=RELEASES, bulk=st.lists(RELEASES, min_size=1, max_size=3), nats=RELEASES,
       answers=st.lists(ANSWERS, max_size=3), revision=good_or(1, INTS))  # fmt: skip
def fuzz_every_edge(
    live: LiveHub, tokens: dict[str, dict[str, str]], release: dict[str, Any],
    bulk: list[dict[str, Any]], nats: dict[str, Any], answers: list[dict[str, Any]],
    revision: int,
) -> None:  # fmt: skip
    connector = tokens["connector"]
    single = post(live, "/api/v1/purchase-orders", release, {**connector, "Idempotency-Key": key()})
    assert single.status_code in (200, 201) or 400 <= single.status_code < 500, single.text
    items = [{"command": "release_purchase_order", "message_id": key(), "body": body}
             for body in bulk]  # fmt: skip
    many = post(live, "/api/v1/bulk", {"items": items}, connector)
    assert many.status_code == 200, many.text
    assert all(r["status"] < 500 for r in many.json()["results"]), many.text
    variables = {"key": key(), "po": release["po_number"], "revision": revision, "lines": answers}
    portal = post(live, "/graphql", {"query": ACKNOWLEDGE, "variables": variables},
                  tokens["supplier"])  # fmt: skip
    assert portal.status_code < 500, portal.text
    answer = portal.json()
    assert answer.get("errors") or answer["data"]["acknowledgePurchaseOrder"]["__typename"] in (
        RESULTS
    )
    message = InboundMessage(
        "supplyhub.commands.release_purchase_order", {"Nats-Msg-Id": key()},
        json.dumps(nats).encode(),
    )  # fmt: skip
    with contextlib.suppress(InvalidMessageError, DomainError):  # refused, naming the field
        live.hub.handle(*to_command(message, datetime.now(UTC)))


def test_random_commands_with_extreme_values_through_every_edge_are_4xx_or_applied(
    live: LiveHub,
) -> None:
    supplier = token("--role", "supplier", "--supplier", "SUP-ACME")
    fuzz_every_edge(live, {"connector": token("--role", "connector"), "supplier": supplier})
    caught_up(live)
    for reader in (token("--role", "buyer"), supplier):
        assert every_po_page(live, reader)
        response = httpx.post(
            f"{live.url}/graphql", headers=reader,
            json={"query": "{ exceptions(status: null) { items { key reason } }"
                           " kpis { supplier } }"},
        )  # fmt: skip
        assert response.status_code == 200 and "errors" not in response.json(), response.text


def test_the_openapi_schema_states_the_same_limits_for_generated_clients(live: LiveHub) -> None:
    schemas = httpx.get(f"{live.url}/openapi.json").json()["components"]["schemas"]
    line, release = schemas["OrderLine"]["properties"], schemas["ReleasePurchaseOrder"]
    assert (line["line_number"]["minimum"], line["line_number"]["maximum"]) == (1, 999_999)
    assert line["item"]["maxLength"] == 48 and line["item"]["pattern"].startswith("^[^\\x00")
    assert {"type": "string", "pattern": "^\\+?[0-9]{1,15}(\\.[0-9]{1,6})?$"} in (
        line["quantity"]["anyOf"]
    )
    assert release["properties"]["po_number"]["maxLength"] == 35
    assert release["properties"]["lines"]["maxItems"] == 9_999
