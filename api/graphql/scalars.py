"""Date and DateTime as strawberry's, but a value they refuse is named in our words, never
Python's ("month must be in 1..12", "date value out of range")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from graphql import GraphQLError, StringValueNode, ValueNode, print_ast
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

Parse = Callable[[object], object]


def _parser(parse: Callable[[str], object], type_: str, expected: str) -> Parse:
    def inner(value: object) -> object:
        try:
            if not isinstance(value, str):
                raise TypeError
            return parse(value)
        except (StrawberryInputCoercionError, TypeError, ValueError, OverflowError):
            raise StrawberryInputCoercionError(
                f"Value cannot represent a {type_}: {value!r:.60}. Expected {expected}."
            ) from None

    return inner


def _literal(parse: Parse) -> Callable[..., object]:
    """A literal in the query text: refused at its node, so the error has a location (and the
    endpoint can name the argument it belongs to)."""

    def inner(node: ValueNode, variables: dict[str, Any] | None = None) -> object:
        value = node.value if isinstance(node, StringValueNode) else print_ast(node)
        try:
            return parse(value)
        except GraphQLError as error:
            raise GraphQLError(error.message, node) from None

    return inner


def _date(text: str) -> object:
    return DateDefinition.parse_value(text)  # type: ignore[misc]  # strawberry's own parser


def _datetime(text: str) -> object:
    moment = DateTimeDefinition.parse_value(text)  # type: ignore[misc]
    assert isinstance(moment, datetime)
    moment.astimezone(UTC)  # the views compare in UTC: 9999-12-31T23:00-05:00 has no UTC
    return moment


_DATE = _parser(_date, "Date", "an ISO 8601 date such as 2026-12-01")
_DATETIME = _parser(
    _datetime,
    "DateTime",
    "an ISO 8601 date-time within the years 0001 to 9999 in UTC, such as 2026-12-01T08:00:00Z",
)


def _with_our_parser(base: ScalarDefinition, origin: type, parse: Parse) -> ScalarDefinition:
    """strawberry's scalar `base`, reading variables and literals alike with `parse`."""
    return ScalarDefinition(
        name=base.name,
        description=base.description,
        specified_by_url=None,
        serialize=base.serialize,
        parse_value=parse,
        parse_literal=_literal(parse),
        origin=origin,
    )


DATE = _with_our_parser(DateDefinition, date, _DATE)
DATETIME = _with_our_parser(DateTimeDefinition, datetime, _DATETIME)

OVERRIDES: dict[object, ScalarDefinition] = {date: DATE, datetime: DATETIME}
