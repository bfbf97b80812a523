"""Date and DateTime as strawberry's, but a value they refuse is named in our words, never
Python's ("month must be in 1..12", "date value out of range")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

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


def _date(text: str) -> object:
    return DateDefinition.parse_value(text)  # type: ignore[misc]  # strawberry's own parser


def _datetime(text: str) -> object:
    moment = DateTimeDefinition.parse_value(text)  # type: ignore[misc]
    assert isinstance(moment, datetime)
    moment.astimezone(UTC)  # the views compare in UTC: 9999-12-31T23:00-05:00 has no UTC
    return moment


DATE = ScalarDefinition(
    name=DateDefinition.name,
    description=DateDefinition.description,
    specified_by_url=None,
    serialize=DateDefinition.serialize,
    parse_value=_parser(_date, "Date", "an ISO 8601 date such as 2026-12-01"),
    parse_literal=None,
    origin=date,
)

DATETIME = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=None,
    serialize=DateTimeDefinition.serialize,
    parse_value=_parser(
        _datetime,
        "DateTime",
        "an ISO 8601 date-time within the years 0001 to 9999 in UTC, such as 2026-12-01T08:00:00Z",
    ),
    parse_literal=None,
    origin=datetime,
)

OVERRIDES: dict[object, ScalarDefinition] = {date: DATE, datetime: DATETIME}
