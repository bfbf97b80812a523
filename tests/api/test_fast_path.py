"""The GraphQL fast path answers exactly as graphql-core does, or declines: a differential test
on the demo scenario (hand-written and generated queries), plus its fallbacks and scoping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.extensions import SchemaExtension

from api.auth import Principal, Role
from api.envelope import Envelope
from api.graphql.context import Context
from api.graphql.endpoint import _encode
from api.graphql.fast_path import FastPath, FastPathExtension
from api.graphql.schema import FAST_ROOTS, PortalSchema, Query, build_schema
from connectors.demo import run_scenario
from domain.provenance import Channel
from projections.read_models import PurchaseOrderFilter, ReadModels
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings

ACME = Principal("acme-user", Role.SUPPLIER, "SUP-ACME")
BUYER = Principal("bea", Role.BUYER)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FAST = build_schema()
PLAIN = build_schema(fast_path=False)


@pytest.fixture(scope="module")
def read_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadModels]:
    """The demo scenario on an embedded SQLite hub, with the read side caught up."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("fast-path")))
    hub = open_hub(settings)
    run_scenario(hub)
    read_side = open_read_side(settings, hub)
    read_side.runner.catch_up()
    yield read_side.read_models
    read_side.close()
    hub.close()


def fast_path() -> FastPath:
    assert FAST.fast_path is not None
    return FAST.fast_path


def _context(read_models: ReadModels, principal: Principal) -> Context:
    return Context(
        principal=principal,
        read_models=read_models,
        hub=None,  # type: ignore[arg-type]  # queries never reach the hub
        envelope=Envelope(principal, Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50,
        record_outcome=lambda command, status: None,
    )


def execute(
    schema: PortalSchema, read_models: ReadModels, query: str, principal: Principal,
    variables: dict[str, Any] | None = None, operation_name: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    async def run() -> dict[str, Any]:
        context = _context(read_models, principal)
        result = await schema.execute(query, variables, context, operation_name=operation_name)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        return answer

    return asyncio.run(run())


def differential(
    read_models: ReadModels, query: str, principal: Principal,
    variables: dict[str, Any] | None = None, operation_name: str | None = None,
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """Both answers, compared as serialized JSON (so key order counts too); and whether the
    fast path answered rather than declined."""
    answered = fast_path().answered
    fast = execute(FAST, read_models, query, principal, variables, operation_name)
    took_fast_path = fast_path().answered == answered + 1
    plain = execute(PLAIN, read_models, query, principal, variables, operation_name)
    assert json.dumps(fast) == json.dumps(plain)
    return fast, took_fast_path


BENCHMARK = (
    "{ purchaseOrders(first: 10) { items { number supplier currency revision status "
    "needsAction releasedAt lines { lineNumber item uom shipTo orderedQuantity unitPrice "
    "needBy ackStatus confirmedQuantity shippedQuantity receivedQuantity commitment } } "
    "endCursor hasNextPage } }"
)
EVERYTHING_PLAIN = """
fragment LineFields on Line { lineNumber item description uom shipTo orderedQuantity unitPrice
  needBy ackStatus ackSourceCode confirmedQuantity confirmedDate shippedQuantity
  receivedQuantity invoicedQuantity commitment }
fragment History on PurchaseOrder {
  revisions { revision recordedAt actor channel linesAdded linesRemoved linesChanged }
  acknowledgements { revision lineNumber status sourceCode channel actor at stale }
  shipments { asnNumber supplier status milestone shipDate expectedDelivery carrier
              trackingNumber poNumbers quantities { poNumber lineNumber quantity } }
  receipts { receiptNumber poNumber asnNumber receivedOn hasVariance
             lines { lineNumber accepted rejected } }
  invoices { invoiceNumber supplier poNumber currency invoiceDate total status }
}
query Everything { purchaseOrders(first: 50) { items {
  number supplier currency revision status needsAction acknowledgedRevision releasedAt
  updatedAt openExceptions lines { ...LineFields } ...History } endCursor hasNextPage } }
"""
HAND_WRITTEN: list[tuple[str, dict[str, Any] | None]] = [
    (BENCHMARK, None),
    (EVERYTHING_PLAIN, None),
    # aliases, two root fields, one of them twice, and __typename at every level
    (
        "{ __typename a: purchaseOrders(first: 5) { __typename items { n: number __typename "
        'lines { q: orderedQuantity lineNumber } } } b: purchaseOrders(first: 2, status: "open") '
        "{ hasNextPage endCursor } }",
        None,
    ),
    # the same key selected twice merges its sub-selections, in first-seen order
    (
        "{ purchaseOrders(first: 4) { items { lines { lineNumber } number lines { item "
        "lineNumber } } } }",
        None,
    ),
    # inline fragments with and without a type condition, nested named fragments
    (
        "fragment L on Line { item ... on Line { uom } } fragment P on PurchaseOrder { number "
        "lines { ...L } } { purchaseOrders(first: 3) { items { ...P ... { status } "
        "... on PurchaseOrder { revision ...P } } } }",
        None,
    ),
    # @skip/@include with variables, defaults and literals
    (
        "query ($lines: Boolean!, $noRevisions: Boolean = false) { purchaseOrders(first: 6) { "
        "items { number lines @include(if: $lines) { lineNumber } revisions @skip(if: "
        "$noRevisions) { revision } status @skip(if: true) currency @include(if: false) } } }",
        {"lines": True},
    ),
    (
        "query ($lines: Boolean!, $noRevisions: Boolean = false) { purchaseOrders(first: 6) { "
        "items { number lines @include(if: $lines) { lineNumber } revisions @skip(if: "
        "$noRevisions) { revision } } } }",
        {"lines": False, "noRevisions": True},
    ),
    (
        "query ($on: Boolean!) { purchaseOrders(first: 2) { items { ... @include(if: $on) { "
        "number } ...F @skip(if: $on) } } } fragment F on PurchaseOrder { status }",
        {"on": False},
    ),
    # filters and pagination through variables (DateTime coerced by the schema's scalar)
    (
        "query ($first: Int!, $after: String, $from: DateTime) { purchaseOrders(first: $first, "
        "after: $after, releasedFrom: $from, needsAction: true) { items { number needsAction "
        "releasedAt } endCursor hasNextPage } }",
        {"first": 3, "after": None, "from": "2020-01-01T00:00:00+00:00"},
    ),
    ('{ purchaseOrders(status: "cancelled") { items { number status } hasNextPage } }', None),
    # nullable answers: an unknown PO, an empty page
    ('{ purchaseOrder(number: "no-such-po") { number } }', None),
    ('{ purchaseOrders(first: 5, status: "no-such-status") { items { number } endCursor } }', None),
]


@pytest.mark.parametrize("principal", [ACME, BUYER], ids=["supplier", "buyer"])
@pytest.mark.parametrize("case", range(len(HAND_WRITTEN)))
def test_the_fast_path_answers_hand_written_queries_exactly_as_graphql_core(
    read_models: ReadModels, principal: Principal, case: int
) -> None:
    query, variables = HAND_WRITTEN[case]

    answer, took_fast_path = differential(read_models, query, principal, variables)

    assert took_fast_path
    assert "errors" not in answer


def test_pages_and_single_purchase_orders_agree_with_graphql_core_on_real_data(
    read_models: ReadModels,
) -> None:
    """Given the buyer's first page, when the next page and each PO by number are asked for,
    then the fast path answers all of them as graphql-core does (and the data is not empty)."""
    query = "query ($after: String) { purchaseOrders(first: 7, after: $after) { items { number "
    query += "lines { lineNumber confirmedDate } } endCursor hasNextPage } }"
    first, _ = differential(read_models, query, BUYER, {"after": None})
    page = first["data"]["purchaseOrders"]
    second, took_fast_path = differential(read_models, query, BUYER, {"after": page["endCursor"]})
    assert took_fast_path and page["hasNextPage"]
    assert second["data"]["purchaseOrders"]["items"] != page["items"]

    by_number = "query ($n: String!) { purchaseOrder(number: $n) { number supplier invoices { "
    by_number += "invoiceNumber total status } shipments { asnNumber quantities { quantity } } } }"
    for po in page["items"]:
        answer, took_fast_path = differential(read_models, by_number, BUYER, {"n": po["number"]})
        assert took_fast_path
        assert answer["data"]["purchaseOrder"]["number"] == po["number"]


def test_a_supplier_on_the_fast_path_sees_only_its_own_purchase_orders(
    read_models: ReadModels,
) -> None:
    everyone = read_models.purchase_orders(None, PurchaseOrderFilter(), 50).items
    others = [po.number for po in everyone if po.supplier != "SUP-ACME"]
    assert others, "the demo has other suppliers' POs to leak"

    page, took_fast_path = differential(
        read_models, "{ purchaseOrders(first: 50) { items { number supplier } } }", ACME
    )
    assert took_fast_path
    assert {po["supplier"] for po in page["data"]["purchaseOrders"]["items"]} == {"SUP-ACME"}
    single, took_fast_path = differential(
        read_models, f'{{ purchaseOrder(number: "{others[0]}") {{ number }} }}', ACME
    )
    assert took_fast_path
    assert single["data"] == {"purchaseOrder": None}


def test_one_document_gets_a_plan_per_value_of_its_skip_and_include_variables(
    read_models: ReadModels,
) -> None:
    query = (
        "query ($lines: Boolean!) { purchaseOrders(first: 2) { items { number "
        "lines @include(if: $lines) { lineNumber } } } }"
    )
    with_lines, took_fast_path = differential(read_models, query, ACME, {"lines": True})
    assert took_fast_path
    without_lines, took_fast_path = differential(read_models, query, ACME, {"lines": False})
    assert took_fast_path

    assert "lines" in with_lines["data"]["purchaseOrders"]["items"][0]
    assert "lines" not in without_lines["data"]["purchaseOrders"]["items"][0]


class CountingResolves(SchemaExtension):
    """A schema-wide resolver wrapper (as a tracing or permission extension would be)."""

    calls = 0

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountingResolves.calls += 1
        return _next(root, info, *args, **kwargs)


def test_an_extension_that_wraps_every_resolver_keeps_the_fast_path_off(
    read_models: ReadModels,
) -> None:
    fast = FastPath(FAST_ROOTS)
    schema = PortalSchema(
        query=Query, extensions=[CountingResolves, partial(FastPathExtension, fast)]
    )

    answer = execute(schema, read_models, BENCHMARK, ACME)

    assert answer["data"]["purchaseOrders"]["items"] and "errors" not in answer
    assert (fast.answered, fast.declined) == (0, 1)
    assert CountingResolves.calls > 0  # graphql-core ran it


AP_CONTROLS = (
    "{ purchaseOrders(first: 50) { items { openExceptions revisions { actor } "
    "invoices { invoiceNumber matchStatus blockReasons duplicateSubmissions } } } }"
)
DECLINED = {
    "introspection of the schema": "{ __schema { queryType { name } } }",
    "introspection of a type": '{ __type(name: "Line") { name fields { name } } }',
    "a root field without a plain answer": "{ kpis { supplier } }",
    "a resolver error (page too large)": "{ purchaseOrders(first: 51) { items { number } } }",
    "a variable that does not coerce": "query ($n: Int!) { purchaseOrders(first: $n) { "
    "hasNextPage } }",
}


@pytest.mark.parametrize("principal", [ACME, BUYER], ids=["supplier", "buyer"])
@pytest.mark.parametrize("reason", list(DECLINED))
def test_the_fast_path_declines_and_graphql_core_answers(
    read_models: ReadModels, principal: Principal, reason: str
) -> None:
    variables = {"n": "ten"} if "$n" in DECLINED[reason] else None
    declined = fast_path().declined

    answer, took_fast_path = differential(read_models, DECLINED[reason], principal, variables)

    assert not took_fast_path
    assert fast_path().declined == declined + 1
    assert answer["data"] or answer["errors"]


def test_a_supplier_gets_null_ap_controls_from_the_fast_path_as_from_graphql_core(
    read_models: ReadModels,
) -> None:
    answer, took_fast_path = differential(read_models, AP_CONTROLS, ACME)
    seen, _ = differential(read_models, AP_CONTROLS, BUYER)

    items = answer["data"]["purchaseOrders"]["items"]
    invoices = [i for po in items for i in po["invoices"]]
    assert took_fast_path and invoices
    assert {i["matchStatus"] for i in invoices} == {None}
    assert {i["duplicateSubmissions"] for i in invoices} == {None}
    assert {po["openExceptions"] for po in items} == {None}
    buyers = [i for po in seen["data"]["purchaseOrders"]["items"] for i in po["invoices"]]
    assert None not in {i["matchStatus"] for i in buyers}


def test_a_mutation_is_left_to_graphql_core(read_models: ReadModels) -> None:
    """A buyer may not acknowledge: the refusal is a value, and it comes from the resolver."""
    mutation = (
        'mutation { acknowledgePurchaseOrder(idempotencyKey: "k1", input: {poNumber: "1", '
        "revision: 1, lines: []}) { __typename ... on Forbidden { detail } } }"
    )
    answered, declined = fast_path().answered, fast_path().declined

    answer = execute(FAST, read_models, mutation, BUYER)

    assert answer["data"]["acknowledgePurchaseOrder"]["__typename"] == "Forbidden"
    assert (fast_path().answered, fast_path().declined) == (answered, declined + 1)


# --- the prepared path: documents strawberry already parsed, validated and saw answered ---------


def prepared(
    read_models: ReadModels, query: str, principal: Principal,
    variables: dict[str, Any] | None = None, operation_name: str | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """What the endpoint's shortcut answers (data, or None when strawberry must execute)."""

    async def run() -> dict[str, Any] | None:
        context = _context(read_models, principal)
        return await fast_path().answer_prepared(
            FAST._schema, query, operation_name, variables, context
        )

    return asyncio.run(run())


@pytest.mark.parametrize("principal", [ACME, BUYER], ids=["supplier", "buyer"])
@pytest.mark.parametrize("case", range(len(HAND_WRITTEN)))
def test_a_document_answered_once_is_answered_again_without_strawberry_exactly_the_same(
    read_models: ReadModels, principal: Principal, case: int
) -> None:
    query, variables = HAND_WRITTEN[case]
    differential(read_models, query, principal, variables)  # strawberry parses and validates it
    answered = fast_path().answered

    again = prepared(read_models, query, principal, variables)

    plain = execute(PLAIN, read_models, query, principal, variables)
    assert again is not None and fast_path().answered == answered + 1
    assert json.dumps({"data": again}) == json.dumps(plain)


def test_the_prepared_path_scopes_a_document_a_buyer_made_known_to_the_supplier_asking(
    read_models: ReadModels,
) -> None:
    query = "{ purchaseOrders(first: 50) { items { number supplier } } }"
    execute(FAST, read_models, query, BUYER)

    again = prepared(read_models, query, ACME)

    assert again is not None
    assert {po["supplier"] for po in again["purchaseOrders"]["items"]} == {"SUP-ACME"}
    assert {"data": again} == execute(PLAIN, read_models, query, ACME)


def test_the_prepared_path_leaves_to_strawberry_what_it_has_not_seen_answered(
    read_models: ReadModels,
) -> None:
    unseen = "{ purchaseOrders(first: 3) { items { number currency } } }"
    assert prepared(read_models, unseen, ACME) is None

    too_deep = "{ purchaseOrders { items { lines { lineNumber } } } }"
    refused = execute(build_schema(max_depth=2), read_models, too_deep, ACME)
    assert refused["errors"] and prepared(read_models, too_deep, ACME) is None

    for reason in ("a resolver error (page too large)", "a variable that does not coerce"):
        query = DECLINED[reason]
        variables = {"n": "ten"} if "$n" in query else None
        execute(FAST, read_models, query, ACME, variables)
        assert prepared(read_models, query, ACME, variables) is None, reason

    # a document known with one @include value: a new value is planned by strawberry first
    query = (
        "query ($on: Boolean!) { purchaseOrders(first: 1) { items { number @include(if: $on) } } }"
    )
    execute(FAST, read_models, query, ACME, {"on": True})
    assert prepared(read_models, query, ACME, {"on": False}) is None
    assert prepared(read_models, query, ACME, {"on": True}) is not None
    assert prepared(read_models, query, ACME, {"on": 3}) is None  # does not coerce

    mutation = 'mutation { acknowledgePurchaseOrder(idempotencyKey: "k", input: {poNumber: "1", '
    mutation += "revision: 1, lines: []}) { __typename } }"
    execute(FAST, read_models, mutation, BUYER)
    assert prepared(read_models, mutation, BUYER) is None


def test_answers_are_encoded_as_json_dumps_would_read_them_even_beyond_64_bits() -> None:
    answer = {"data": {"name": "Müller GmbH", "n": 2**70, "x": 0.1, "none": None}}
    assert json.loads(_encode(answer)) == answer
    assert b" " not in _encode({"data": {"a": [1, 2], "b": {"c": True}}})


# --- generated selections -------------------------------------------------------------------


def plain_fields(type_: GraphQLObjectType) -> list[str]:
    """The fields of a type the fast path may project: no resolver behind them."""
    fields = []
    for name in type_.fields:
        field = FAST.get_field_for_type(name, type_.name)
        if field is not None and field.base_resolver is None:
            fields.append(name)
    return fields


def object_type(field_type: Any) -> GraphQLObjectType | None:
    while isinstance(field_type, GraphQLNonNull | GraphQLList):
        field_type = field_type.of_type
    return field_type if isinstance(field_type, GraphQLObjectType) else None


@st.composite
def selection(draw: st.DrawFn, type_: GraphQLObjectType, depth: int = 0) -> str:
    """A random non-empty subset of a type's plain fields, some aliased, some in fragments,
    nested types recursed into; __typename now and then."""
    names = draw(st.lists(st.sampled_from(plain_fields(type_)), min_size=1, max_size=8))
    parts = []
    for name in names:
        nested = object_type(type_.fields[name].type)
        text = name
        if draw(st.integers(0, 7)) == 0:  # at most 20 aliases pass validation
            text = f"_{name}: {name}"
        if nested is not None:
            text += " { " + draw(selection(nested, depth + 1)) + " }"
        if draw(st.integers(0, 5)) == 0:
            text = f"... on {type_.name} {{ {text} }}"
        parts.append(text)
    if draw(st.integers(0, 4)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), "__typename")
    return " ".join(parts)


def purchase_order_type() -> GraphQLObjectType:
    found = object_type(FAST._schema.type_map["PurchaseOrder"])
    assert found is not None
    return found


@st.composite
def queries(draw: st.DrawFn) -> str:
    items = draw(selection(purchase_order_type()))
    if draw(st.booleans()):
        first = draw(st.integers(1, 50))
        return f"{{ purchaseOrders(first: {first}) {{ items {{ {items} }} hasNextPage }} }}"
    number = draw(st.sampled_from(["4500000001", "4500000002", "4500000007", "4500000019"]))
    return f'{{ purchaseOrder(number: "{number}") {{ {items} }} }}'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries(), buyer=st.booleans())
def test_the_fast_path_answers_generated_selections_exactly_as_graphql_core(
    read_models: ReadModels, query: str, buyer: bool
) -> None:
    answer, took_fast_path = differential(read_models, query, BUYER if buyer else ACME)

    assert took_fast_path, query
    assert "errors" not in answer, answer
