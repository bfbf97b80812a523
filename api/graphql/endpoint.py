"""POST /graphql: answers a repeated query from the response cache without resolving anything."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    ArgumentNode,
    ObjectFieldNode,
    OperationType,
    Source,
    Visitor,
    get_location,
    get_operation_ast,
    parse,
    visit,
)
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from api.auth import Principal, TokenCache
from api.cache import Position, ResponseCache, cache_key, etag
from api.envelope import Clock, Envelope
from api.errors import problem
from api.graphql.context import RequestContext
from api.graphql.schema import PortalSchema
from api.metrics import Metrics
from api.portal_views import PortalViews
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.provenance import Channel
from projections.read_models import ReadModels

JSON = "application/json"


@lru_cache(maxsize=512)
def _is_query(text: str, operation_name: str | None) -> bool:
    """Only queries are cached; a document that does not parse is left to strawberry."""
    try:
        operation = get_operation_ast(parse(text), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.QUERY


class GraphQLEndpoint:
    def __init__(
        self,
        schema: PortalSchema,
        hub: SupplyHub,
        read_models: ReadModels,
        tokens: TokenCache,
        metrics: Metrics,
        clock: Clock,
        max_page_size: int,
        cache: ResponseCache,
        position: Position,
        portal_views: PortalViews | None = None,
    ) -> None:
        self.schema = schema
        self.portal_views = portal_views
        self.hub = hub
        self.read_models = read_models
        self.tokens = tokens
        self.metrics = metrics
        self.clock = clock
        self.max_page_size = max_page_size
        self.cache = cache
        self.position = position

    async def post(self, request: Request) -> Response:
        principal = self.tokens.principal(request.headers.get("authorization"))
        body = await request.body()
        key = cache_key(body, principal, self.position())
        tag = etag(key)
        cached = self.cache.get(key)
        if cached is None:
            return await self._execute(request, principal, body, key, tag)
        self.metrics.cache_hits.inc()
        return _answer(request, cached, tag)

    async def _execute(
        self, request: Request, principal: Principal, body: bytes, key: str, tag: str
    ) -> Response:
        try:
            document = json.loads(body)
        except ValueError:
            return _bad_request("the body is not JSON")
        if not isinstance(document, dict) or not isinstance(document.get("query"), str):
            return _bad_request("send a JSON object with a `query` string")
        variables = document.get("variables")
        operation_name = document.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return _bad_request("`variables` must be an object")
        if operation_name is not None and not isinstance(operation_name, str):
            return _bad_request("`operationName` must be a string")
        if not document["query"].strip():
            return _bad_request("`query` is empty: send a GraphQL document")
        envelope = Envelope.of(
            principal, Channel.PORTAL, self.clock, request.headers.get("x-correlation-id"), body
        )
        context = self.context(principal, envelope)
        fast = self.schema.fast_path
        if fast is not None:
            # A document already parsed, validated and planned skips strawberry's pipeline.
            data = await fast.answer_prepared(
                self.schema._schema, document["query"], operation_name, variables, context
            )
            if data is not None:
                payload = _encode({"data": data})
                self.cache.put(key, payload)
                return _answer(request, payload, tag)
        try:
            result = await self.schema.execute(
                document["query"],
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
            )
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as error:
            return _bad_request(_no_operation(error, operation_name))
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = _named(document["query"], [_shown(e) for e in result.errors])
        payload = _encode(answer)
        if not result.errors and _is_query(document["query"], operation_name):
            self.cache.put(key, payload)
            return _answer(request, payload, tag)
        status = 400 if result.data is None and _refused_before_running(result.errors) else 200
        return Response(payload, status, media_type=JSON)

    def context(self, principal: Principal, envelope: Envelope) -> RequestContext:
        outcomes = self.metrics.outcomes
        record: Callable[[str, str], None] = lambda command, status: outcomes.labels(  # noqa: E731
            command, status
        ).inc()
        context = RequestContext(
            principal=principal,
            read_models=self.read_models,
            hub=self.hub,
            envelope=envelope,
            max_page_size=self.max_page_size,
            record_outcome=record,
            note_fault=self.metrics.store_faults.note,
        )
        if self.portal_views is not None:
            context.note_view = self.portal_views.note
        return context


def _encode(answer: dict[str, Any]) -> bytes:
    """Compact JSON; orjson is ten times faster than json.dumps on an answer. It refuses only
    what json.dumps accepts beyond JSON's own range (integers over 64 bits): those go there."""
    try:
        return orjson.dumps(answer)
    except TypeError:
        return json.dumps(answer, separators=(",", ":")).encode()


def _answer(request: Request, payload: bytes, tag: str) -> Response:
    # The key names the views' position, so an ETag the client holds is still exact.
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(payload, headers={"ETag": tag}, media_type=JSON)


def _no_operation(error: Exception, operation_name: str | None) -> str:
    if isinstance(error, InvalidOperationTypeError):
        return "only queries and mutations are served over POST /graphql"
    if operation_name:
        return f"the query has no operation named {operation_name!r}"
    return "the query holds no operation to run"


def _is_internal(error: GraphQLError) -> bool:
    """A fault of ours rather than the request's: its text is Python's, never the client's."""
    return not isinstance(error.original_error, DomainError | GraphQLError | None)


def _shown(error: GraphQLError) -> dict[str, Any]:
    """The error as the client sees it: an internal fault's message is replaced (the schema
    has logged it in `process_errors`), a refusal's or GraphQL's own is kept."""
    if not _is_internal(error):
        return dict(error.formatted)
    shown: dict[str, Any] = {"message": "internal error: this field could not be answered"}
    if error.path is not None:
        shown["path"] = error.path
    return shown


class _ValueOwners(Visitor):
    """Where each argument's and input field's value starts in the text -> its name."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[int, str] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.value.loc is not None:
            self.at[node.value.loc.start] = node.name.value

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        if node.value.loc is not None:
            self.at[node.value.loc.start] = node.name.value


def _named(query: str, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A literal that does not coerce is reported at its value, not by its name: prefix the
    argument's (or input field's) name, as domain refusals name their field."""
    unnamed = [error for error in shown if "path" not in error and error.get("locations")]
    if not unnamed:
        return shown
    owners = _ValueOwners()
    visit(parse(query), owners)
    source = Source(query)
    lines = {
        (location.line, location.column): name
        for start, name in owners.at.items()
        for location in [get_location(source, start)]
    }
    for error in unnamed:
        spot = error["locations"][0]
        name = lines.get((spot["line"], spot["column"]))
        if name is not None and error["message"].startswith("Value cannot represent"):
            error["message"] = f"{name}: {error['message']}"
    return shown


def _refused_before_running(errors: list[GraphQLError] | None) -> bool:
    """Parsing, validation and variable coercion errors name no path: nothing ran, and the
    request itself is wrong (400, as GraphQL over HTTP answers them)."""
    return bool(errors) and all(e.path is None and not _is_internal(e) for e in errors or ())


def _bad_request(detail: str) -> Response:
    return problem(400, {"type": "about:blank", "title": "bad GraphQL request", "detail": detail})
