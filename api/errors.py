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

from api.auth import UnauthenticatedError
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)

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
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return str(error["msg"])


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
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, {"type": "about:blank", "title": "internal error"})

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(UnauthenticatedError, unauthenticated)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
