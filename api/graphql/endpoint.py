"""POST /graphql: answers a repeated query from the response cache without resolving anything."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import orjson
from graphql import OperationType, get_operation_ast, parse
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from api.auth import Principal, TokenCache
from api.cache import Position, ResponseCache, cache_key, etag
from api.envelope import Clock, Envelope
from api.errors import problem
from api.graphql.context import Context
from api.graphql.schema import PortalSchema
from api.metrics import Metrics
from domain.application import SupplyHub
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
    ) -> None:
        self.schema = schema
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
        envelope = Envelope.of(
            principal, Channel.PORTAL, self.clock, request.headers.get("x-correlation-id"), body
        )
        context = self._context(principal, envelope)
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
        result = await self.schema.execute(
            document["query"],
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        payload = _encode(answer)
        if not result.errors and _is_query(document["query"], operation_name):
            self.cache.put(key, payload)
            return _answer(request, payload, tag)
        return Response(payload, media_type=JSON)

    def _context(self, principal: Principal, envelope: Envelope) -> Context:
        outcomes = self.metrics.outcomes
        record: Callable[[str, str], None] = lambda command, status: outcomes.labels(  # noqa: E731
            command, status
        ).inc()
        return Context(
            principal=principal,
            read_models=self.read_models,
            hub=self.hub,
            envelope=envelope,
            max_page_size=self.max_page_size,
            record_outcome=record,
        )


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


def _bad_request(detail: str) -> Response:
    return problem(400, {"type": "about:blank", "title": "bad GraphQL request", "detail": detail})
