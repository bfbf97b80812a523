"""The problem+json responses every route may give, as documented in the OpenAPI."""

from __future__ import annotations

from typing import Any

_PROBLEM: dict[str, Any] = {
    "application/problem+json": {
        "schema": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "field": {"type": "string"},
                "rule": {"type": "string"},
            },
        },
        "example": {
            "type": "urn:supplyhub:problem:validation",
            "title": "validation",
            "status": 422,
            "detail": "lines[0].quantity: must be greater than 0",
            "field": "lines[0].quantity",
            "rule": "must be greater than 0",
        },
    }
}

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid bearer token", "content": _PROBLEM},
    403: {"description": "The role may not do this", "content": _PROBLEM},
    404: {"description": "No such document (or not yours)", "content": _PROBLEM},
    409: {"description": "The document's state forbids this", "content": _PROBLEM},
    413: {"description": "Request body too large", "content": _PROBLEM},
    422: {"description": "Input breaks a rule: `field` and `rule` say which", "content": _PROBLEM},
}
