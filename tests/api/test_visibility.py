"""The field-visibility table proved against the schema: introspection finds every field of
every type in `api/graphql/visibility.py`, docs/api.md shows that same table, and every role
gets exactly what it says, through both executors (the fast path and graphql-core)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import graphql
import pytest
from fake_read_models import FakeReadModels

from api.auth import Principal, Role
from api.envelope import Envelope
from api.graphql import visibility
from api.graphql.context import RequestContext
from api.graphql.live import CaseChange, Change, LiveFeed, Notifications, parts
from api.graphql.schema import build_schema
from domain.application import SupplyHub
from domain.provenance import Channel
from domain.purchase_order import PurchaseOrder as PurchaseOrderAggregate
from projections.read_models import (
    AcknowledgementView,
    AuditEntryView,
    CaseCommentView,
    ReceiptView,
    ShipmentView,
)
from storage.database import IN_MEMORY

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACME_PO = "4510000000"  # FakeReadModels.two_suppliers: Acme's first order
PRINCIPALS = {
    role: Principal("acme-user", role, "SUP-ACME") if role is Role.SUPPLIER else
    Principal(f"{role}-user", role)
    for role in Role
}  # fmt: skip
SCHEMAS = {"fast path": build_schema(), "graphql-core": build_schema(fast_path=False)}
DOCS = Path(__file__).parents[2] / "docs" / "api.md"

# Where each object type is reached from a root query; `{f}` is the selected field.
PO = f'purchaseOrder(number: "{ACME_PO}")'
PATHS = {
    "PurchaseOrderPage": "{{ purchaseOrders(first: 1) {{ {f} }} }}",
    "PurchaseOrder": f"{{{{ {PO} {{{{ {{f}} }}}} }}}}",
    **{
        type_name: f"{{{{ {PO} {{{{ {field} {{{{ {{f}} }}}} }}}} }}}}"
        for type_name, field in [
            ("Line", "lines"), ("Revision", "revisions"), ("Acknowledgement", "acknowledgements"),
            ("Shipment", "shipments"), ("Receipt", "receipts"), ("Invoice", "invoices"),
        ]
    },
    "LineQuantity": f"{{{{ {PO} {{{{ shipments {{{{ quantities {{{{ {{f}} }}}} }}}} }}}} }}}}",
    "ReceiptLine": f"{{{{ {PO} {{{{ receipts {{{{ lines {{{{ {{f}} }}}} }}}} }}}} }}}}",
    "ExceptionCasePage": "{{ exceptions(status: null, first: 1) {{ {f} }} }}",
    "ExceptionCase": "{{ exceptions(status: null) {{ items {{ {f} }} }} }}",
    "CaseComment": "{{ exceptions(status: null) {{ items {{ comments {{ {f} }} }} }} }}",
    "SupplierKpis": "{{ kpis {{ {f} }} }}",
}  # fmt: skip
# Types reached only through a field some roles are shown as null: not reached by those.
REACHED_THROUGH = {"CaseComment": ("ExceptionCase", "comments")}
RESULTS = ("Accepted", "StaleRevision", "ToleranceExceeded", "InvalidInput", "FieldError",
           "NotFound", "Conflict", "Forbidden")  # fmt: skip
ROOT_CALLS = {
    "Query.purchaseOrders": "{ purchaseOrders(first: 1) { hasNextPage } }",
    "Query.purchaseOrder": f"{{ {PO} {{ number }} }}",
    "Query.exceptions": "{ exceptions { items { key } } }",
    "Query.kpis": "{ kpis { supplier } }",
    "Query.exceptionCase": '{ exceptionCase(key: "k") { key } }',
    "Mutation.acknowledgePurchaseOrder": 'mutation { acknowledgePurchaseOrder(idempotencyKey: "",'
    ' input: {poNumber: "1", revision: 1, lines: []}) { __typename } }',
    "Mutation.proposeChange": 'mutation { proposeChange(idempotencyKey: "", input: {poNumber:'
    ' "1", revision: 1, lineNumber: 10, proposalId: "p"}) { __typename } }',
    "Mutation.submitShipNotice": 'mutation { submitShipNotice(idempotencyKey: "", input:'
    ' {asnNumber: "A", shipDate: "2026-11-20", expectedDelivery: "2026-11-20", orders: []})'
    " { __typename } }",
    "Mutation.submitInvoice": 'mutation { submitInvoice(idempotencyKey: "", input:'
    ' {invoiceNumber: "I", poNumber: "1", currency: "EUR", invoiceDate: "2026-11-20",'
    " lines: []}) { __typename } }",
    "Mutation.assignException": 'mutation { assignException(idempotencyKey: "", input:'
    ' {key: "k", owner: "o"}) { __typename } }',
    "Mutation.resolveException": 'mutation { resolveException(idempotencyKey: "", input:'
    ' {key: "k", resolution: "r"}) { __typename } }',
    "Mutation.commentOnException": 'mutation { commentOnException(idempotencyKey: "", input:'
    ' {key: "k", text: "t"}) { __typename } }',
    "Mutation.approveChange": 'mutation { approveChange(idempotencyKey: "", input:'
    ' {poNumber: "1", proposalId: "p"}) { __typename } }',
    "Mutation.rejectChange": 'mutation { rejectChange(idempotencyKey: "", input:'
    ' {poNumber: "1", proposalId: "p", reason: "r"}) { __typename } }',
}

# The subscriptions' own types, reached from their roots with one change in the feed.
LIVE_PATHS = {
    "TimelineEntry": "subscription {{ documentTimeline(number: "
    f'"{ACME_PO}") {{{{ {{f}} }}}} }}}}',
    "ExceptionQueueChange": "subscription {{ exceptionQueue {{ {f} }} }}",
}
LIVE_CALLS = {
    "Subscription.purchaseOrdersNeedingAction": "subscription { purchaseOrdersNeedingAction "
    "{ number } }",
    "Subscription.documentTimeline": f'subscription {{ documentTimeline(number: "{ACME_PO}") '
    "{ event } }",
    "Subscription.exceptionQueue": "subscription { exceptionQueue { change } }",
}

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def read_models() -> FakeReadModels:
    """Two suppliers' orders, Acme's first one with every kind of history filled in."""
    models = FakeReadModels.two_suppliers(per_supplier=2)
    at = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    po = models.orders[ACME_PO]
    confirmed = replace(po.lines[0], confirmed_quantity=Decimal(90), confirmed_date=at.date())
    models.orders[ACME_PO] = replace(
        po, lines=(confirmed, *po.lines[1:]),
        acknowledgements=(AcknowledgementView(1, 10, "accepted", "ACCEPTED", "portal",
                                              "supplier:SUP-ACME", at, False),),
        shipments=(ShipmentView("ASN-1", "SUP-ACME", "submitted", "", date(2026, 11, 11),
                                date(2026, 11, 12), "DHL", "JD1", (ACME_PO,),
                                ((ACME_PO, 10, Decimal(5)),)),),
        receipts=(ReceiptView("GR-1", ACME_PO, "ASN-1", date(2026, 11, 12),
                              ((10, Decimal(5), Decimal(0)),), False),),
    )  # fmt: skip
    case = next(c for c in models.cases if c.document == f"po:{ACME_PO}")
    models.cases[models.cases.index(case)] = replace(case, comment_count=1)
    models.comments[case.key] = (
        CaseCommentView("id", 2, at, "buyer-user", "portal", "m-9", "asked for a new date"),
    )
    return models


async def run(query: str, role: Role, schema: str = "fast path") -> Any:
    principal = PRINCIPALS[role]
    context = RequestContext(
        principal=principal, read_models=read_models(), hub=SupplyHub(env=IN_MEMORY),
        envelope=Envelope(principal, Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50, record_outcome=lambda command, status: None,
    )  # fmt: skip
    return await SCHEMAS[schema].execute(query, context_value=context)


class OneChange(LiveFeed):
    """A feed holding one change about Acme's first order, its case and its timeline."""

    def __init__(self, models: FakeReadModels) -> None:
        super().__init__(source=Notifications(models, lambda *_: (), lambda n: n))
        entry = AuditEntryView(
            str(PurchaseOrderAggregate.create_id(ACME_PO)), 2, "PurchaseOrder.Acknowledged",
            NOW, NOW, "supplier:SUP-ACME", "portal", "m-1", "corr-1", "m-0", 1, "sha256:00",
        )  # fmt: skip
        case = next(c for c in models.cases if c.document == f"po:{ACME_PO}")
        order = models.orders[ACME_PO]
        self.change = Change(2, (entry,), (order,), (CaseChange("opened", case),))

    @contextlib.asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[asyncio.Queue[Change]]:
        queue: asyncio.Queue[Change] = asyncio.Queue()
        part = parts(self.change).get(key)
        if part is not None:
            queue.put_nowait(part)
        yield queue


async def first_update(query: str, role: Role) -> Any:
    """The first result a subscription yields (its refusal, if refused)."""
    principal, models = PRINCIPALS[role], read_models()
    context = RequestContext(
        principal=principal, read_models=models, hub=SupplyHub(env=IN_MEMORY),
        envelope=Envelope(principal, Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50, record_outcome=lambda command, status: None, live=OneChange(models),
    )  # fmt: skip
    stream = await SCHEMAS["graphql-core"].subscribe(query, context_value=context)
    if not isinstance(stream, AsyncGenerator):
        return stream
    try:
        return await anext(stream)
    finally:
        await stream.aclose()


_ADMIN_ANSWERS: dict[tuple[str, str], Any] = {}


async def admin_answer(query: str, schema: str) -> Any:
    """What the role that sees everything gets (asked once per query)."""
    if (query, schema) not in _ADMIN_ANSWERS:
        _ADMIN_ANSWERS[query, schema] = await run(query, Role.ADMIN, schema)
    return _ADMIN_ANSWERS[query, schema]


def leaves(data: Any, field: str) -> list[Any]:
    """Every value of `field` anywhere in the answer."""
    if isinstance(data, list):
        return [value for item in data for value in leaves(item, field)]
    if isinstance(data, dict):
        return (
            [data[field]] if field in data else [v for x in data.values() for v in leaves(x, field)]
        )
    return []


def field_of(type_name: str, field: str) -> graphql.GraphQLField:
    found = SCHEMAS["fast path"]._schema.type_map[type_name]
    assert isinstance(found, graphql.GraphQLObjectType)
    definition: graphql.GraphQLField = found.fields[field]
    return definition


def selection(type_name: str, field: str) -> str:
    """The field, with `__typename` under it when it holds objects."""
    definition = field_of(type_name, field)
    inner = graphql.get_named_type(definition.type)
    return f"{field} {{ __typename }}" if graphql.is_object_type(inner) else field


async def introspected() -> dict[str, list[str]]:
    answer = await run("{ __schema { types { name kind fields { name } } } }", Role.ADMIN)
    return {
        t["name"]: [f["name"] for f in t["fields"]]
        for t in answer.data["__schema"]["types"]
        if t["kind"] == "OBJECT" and not t["name"].startswith("__")
    }


async def test_every_field_of_the_schema_is_in_the_table_and_nothing_else() -> None:
    types = await introspected()
    roots = [
        f"{root}.{f}" for root in ("Query", "Mutation", "Subscription") for f in types.pop(root)
    ]

    assert {name: tuple(fields) for name, fields in types.items()} == visibility.FIELDS
    assert sorted(roots) == sorted(visibility.ROOTS)
    assert set(visibility.FIELDS) == set(PATHS) | set(RESULTS) | set(LIVE_PATHS)
    assert all(f"{t}.{f}" in visibility.HIDDEN for t, fields in visibility.FIELDS.items()
               for f in fields if not visibility.shown(t, f, Role.SUPPLIER))  # fmt: skip


async def test_every_field_a_role_may_not_see_is_nullable_in_the_schema() -> None:
    for name in visibility.HIDDEN:
        type_name, field = name.split(".")
        definition = field_of(type_name, field)
        assert not str(definition.type).endswith("!"), name


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_may_call_exactly_the_root_fields_the_table_allows(role: Role) -> None:
    for root, query in ROOT_CALLS.items():
        answer = await run(query, role)
        refused = bool(answer.errors) or "Forbidden" in str(answer.data)
        assert refused is (role not in visibility.ROOTS[root]), (root, answer)


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_may_subscribe_to_exactly_the_roots_the_table_allows(role: Role) -> None:
    for root, query in LIVE_CALLS.items():
        answer = await first_update(query, role)
        refused = bool(answer.errors)
        assert refused is (role not in visibility.ROOTS[root]), (root, answer)
        if not refused:
            assert answer.data, (root, answer)


def assert_sees_what_the_table_shows(
    answer: Any, everything: Any, query: str, type_name: str, field: str, role: Role
) -> None:
    """`role`'s answer holds `field` where the table shows it to `role`, and null where not;
    the admin's answer (everything) proves there was a value to hide."""
    values, known = leaves(answer.data, field), leaves(everything.data, field)
    assert answer.errors is None, (query, answer.errors)
    assert values and any(v is not None for v in known), (type_name, field, role)
    if visibility.shown(type_name, field, role):
        assert any(v is not None for v in values), (type_name, field, role)
    else:
        assert all(v is None for v in values), (type_name, field, role)


@pytest.mark.parametrize("role", [r for r in Role if r in visibility.PORTAL_USERS])
async def test_each_role_sees_exactly_the_fields_of_live_updates_the_table_shows_it(
    role: Role,
) -> None:
    for type_name, path in LIVE_PATHS.items():
        for field in visibility.FIELDS[type_name]:
            query = path.format(f=selection(type_name, field))
            answer = await first_update(query, role)
            everything = await first_update(query, Role.ADMIN)
            assert_sees_what_the_table_shows(answer, everything, query, type_name, field, role)


@pytest.mark.parametrize("schema", list(SCHEMAS))
@pytest.mark.parametrize("role", list(Role))
async def test_each_role_sees_exactly_the_fields_the_table_shows_it(
    role: Role, schema: str
) -> None:
    for type_name, path in PATHS.items():
        root = "Query.exceptions" if "exceptions" in path else "Query.kpis" if "kpis" in path else (
            "Query.purchaseOrder"
        )  # fmt: skip
        if role not in visibility.ROOTS[root]:
            continue  # the root refuses it: proved above
        if type_name in REACHED_THROUGH and not visibility.shown(*REACHED_THROUGH[type_name], role):
            continue  # the field leading to it is null for this role: proved with its type
        for field in visibility.FIELDS[type_name]:
            query = path.format(f=selection(type_name, field))
            answer = await run(query, role, schema)
            everything = await admin_answer(query, schema)
            assert_sees_what_the_table_shows(answer, everything, query, type_name, field, role)


def test_docs_api_md_shows_the_table_the_code_enforces() -> None:
    assert visibility.policy_table() in DOCS.read_text()


@pytest.mark.parametrize(("role", "first"), [(Role.BUYER, "commented"), (Role.SUPPLIER, "opened")])
async def test_a_comment_on_a_case_is_a_live_change_for_internal_roles_only(
    role: Role, first: str
) -> None:
    models = read_models()
    feed = OneChange(models)
    case = feed.change.cases[0].case
    feed.change = replace(
        feed.change, cases=(CaseChange("commented", case), CaseChange("opened", case))
    )
    context = RequestContext(
        principal=PRINCIPALS[role], read_models=models, hub=SupplyHub(env=IN_MEMORY),
        envelope=Envelope(PRINCIPALS[role], Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50, record_outcome=lambda command, status: None, live=feed,
    )  # fmt: skip
    query = "subscription { exceptionQueue { change case { key commentCount } } }"
    stream = await SCHEMAS["graphql-core"].subscribe(query, context_value=context)
    assert isinstance(stream, AsyncGenerator)
    try:
        update = await anext(stream)
    finally:
        await stream.aclose()

    assert update.errors is None
    assert update.data["exceptionQueue"]["change"] == first
    assert update.data["exceptionQueue"]["case"]["commentCount"] == (
        None if role is Role.SUPPLIER else case.comment_count
    )
