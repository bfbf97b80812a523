"""Errors mapped once: domain errors, bad requests and auth failures become problem+json."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import UnauthenticatedError
from domain import limits
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)
from projections.store_faults import FAULT_TYPES, StoreFault, store_fault

PROBLEM = "application/problem+json"
log = logging.getLogger(__name__)

# Most specific first: IdempotencyKeyReusedError is a ConflictError.
STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationError, 422),
    (NotFoundError, 404),
    (IdempotencyKeyReusedError, 422),
    (ConflictError, 409),
    (ForbiddenError, 403),
)


def status_of(error: DomainError) -> int:
    return next((status for kind, status in STATUS if isinstance(error, kind)), 400)


def problem_body(error: DomainError) -> dict[str, Any]:
    """The problem document for a domain error (also one item of a bulk response)."""
    body: dict[str, Any] = {
        "type": f"urn:supplyhub:problem:{error.code}",
        "title": error.code.replace("_", " "),
        "status": status_of(error),
        "detail": str(error),
    }
    if isinstance(error, ValidationError):
        body["field"], body["rule"] = error.field, error.rule
        body["errors"] = [{"field": field, "rule": rule} for field, rule in error.errors]
    return body


def problem(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    body.setdefault("status", status)
    return Response(json.dumps(body), status, headers, media_type=PROBLEM)


def unavailable(request: Request, fault: StoreFault) -> Response:
    """503 for a fault of the store. REST callers are connectors and internal roles: the
    detail says what and where (which stored event, read-only, disk full); no traceback."""
    log.error("store fault on %s %s: %s", request.method, request.url.path, fault.reason)
    request.app.state.services.metrics.store_faults.note(fault)
    body: dict[str, Any] = {
        "type": f"urn:supplyhub:problem:{fault.kind}",
        "title": "store unavailable",
        "detail": fault.reason,
    }
    if fault.originator_id:
        body["document_id"], body["version"] = fault.originator_id, fault.version
    return problem(503, body, {"Retry-After": "60"})


def field_path(loc: Sequence[str | int]) -> str:
    """('body', 'lines', 0, 'quantity') -> 'lines[0].quantity', as the domain names fields."""
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "decimal", "json-or-python", "lax-or")):
            path += f".{part}" if path else str(part)
    return path or str(loc[0] if loc else "body")


def rule_of(error: Mapping[str, Any]) -> str:
    """A pydantic error's rule: a domain limit's own words (domain/limits.py) rather than
    pydantic's "Value error, ..." around them."""
    return limits.rule_of(error["type"], str(error["msg"]), error.get("ctx"))


def install(app: FastAPI) -> None:
    async def domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        return problem(status_of(error), problem_body(error))

    async def request_invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        errors = [
            {"field": field_path(e["loc"]), "rule": rule_of(e), "type": e["type"]}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "body", "rule": "invalid"}
        return problem(
            422,
            {
                "type": "urn:supplyhub:problem:validation",
                "title": "validation",
                "detail": f"{first['field']}: {first['rule']}",
                "field": first["field"],
                "rule": first["rule"],
                "errors": errors,
            },
        )

    async def unauthenticated(request: Request, error: Exception) -> Response:
        return problem(
            401,
            {"type": "urn:supplyhub:problem:unauthenticated", "title": "unauthenticated",
             "detail": str(error)},
            {"WWW-Authenticate": "Bearer"},
        )  # fmt: skip

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        title = str(error.detail)
        return problem(
            error.status_code,
            {"type": "about:blank", "title": title, "detail": title},
            dict(error.headers or {}),
        )

    async def unexpected(request: Request, error: Exception) -> Response:
        fault = store_fault(error)
        if fault is not None:
            return unavailable(request, fault)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, {"type": "about:blank", "title": "internal error"})

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(UnauthenticatedError, unauthenticated)
    app.add_exception_handler(HTTPException, http_error)
    for kind in FAULT_TYPES:  # answered here, not re-raised as the catch-all would be
        app.add_exception_handler(kind, unexpected)
    app.add_exception_handler(Exception, unexpected)


def contained(app: ASGIApp) -> ASGIApp:
    """What no handler mapped becomes a logged 500 problem here, and goes no further.

    Starlette's outermost middleware answers an unmapped exception with the `Exception`
    handler and then re-raises it to the server, and uvicorn drops the keep-alive connection
    for it: the client's next request on it was reset. Inside that middleware, this one
    answers and stops the exception instead."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracked)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not started:
                answer = problem(500, {"type": "about:blank", "title": "internal error"})
                await answer(scope, receive, send)

    return guarded
