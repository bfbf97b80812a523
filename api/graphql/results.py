"""Mutation results: what a portal branches on. Expected failures are values, not errors."""

from __future__ import annotations

import re
from typing import Annotated

import strawberry

from domain.errors import (
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from domain.outcome import Outcome


@strawberry.type(description="The hub accepted the message (or had already: `replayed`).")
class Accepted:
    status: str
    document: str
    revision: int
    exceptions: list[str]
    detail: str
    replayed: bool


@strawberry.type(description="The answer names an outdated revision: recorded, not applied.")
class StaleRevision:
    document: str
    current_revision: int
    exceptions: list[str]
    detail: str
    replayed: bool


@strawberry.type(description="Outside tolerance: raised to the buyer, not applied.")
class ToleranceExceeded:
    document: str
    revision: int
    exceptions: list[str]
    detail: str
    replayed: bool


@strawberry.type(description="One broken rule: the input path (`lines[0].quantity`) and the rule.")
class FieldError:
    field: str
    rule: str


@strawberry.type(description="The input breaks rules: `errors` names each; `field` and `rule` "
                 "repeat the first.")  # fmt: skip
class InvalidInput:
    field: str
    rule: str
    detail: str
    errors: list[FieldError]


@strawberry.type
class NotFound:
    kind: str
    key: str
    detail: str


@strawberry.type(description="The document's state forbids this, or the key was reused.")
class Conflict:
    code: str
    detail: str


@strawberry.type
class Forbidden:
    detail: str


CommandResult = Annotated[
    Accepted | StaleRevision | ToleranceExceeded | InvalidInput | NotFound | Conflict | Forbidden,
    strawberry.union("CommandResult"),
]


def of_outcome(outcome: Outcome) -> CommandResult:
    exceptions = list(outcome.exceptions)
    if outcome.status == "stale":
        return StaleRevision(
            document=outcome.document, current_revision=outcome.revision, exceptions=exceptions,
            detail=outcome.detail, replayed=outcome.replayed,
        )  # fmt: skip
    if outcome.status == "escalated":
        return ToleranceExceeded(
            document=outcome.document, revision=outcome.revision, exceptions=exceptions,
            detail=outcome.detail, replayed=outcome.replayed,
        )  # fmt: skip
    return Accepted(
        status=outcome.status, document=outcome.document, revision=outcome.revision,
        exceptions=exceptions, detail=outcome.detail, replayed=outcome.replayed,
    )  # fmt: skip


def input_path(field: str) -> str:
    """The domain's field path in GraphQL's names: `lines[0].unit_price` -> `lines[0].unitPrice`."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), field)


def of_error(error: DomainError) -> CommandResult:
    if isinstance(error, ValidationError):
        errors = [FieldError(field=input_path(f), rule=rule) for f, rule in error.errors]
        detail = "; ".join(f"{e.field}: {e.rule}" for e in errors)
        return InvalidInput(field=errors[0].field, rule=errors[0].rule, detail=detail,
                            errors=errors)  # fmt: skip
    if isinstance(error, NotFoundError):
        return NotFound(kind=error.kind, key=error.key, detail=str(error))
    if isinstance(error, ForbiddenError):
        return Forbidden(detail=str(error))
    # ConflictError, IdempotencyKeyReusedError and any refusal without a closer type.
    return Conflict(code=error.code, detail=str(error))
