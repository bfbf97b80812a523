"""Input limits: every command field has one, the hub names each broken one, fast path agrees."""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import pytest
from given import envelope, line
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.errors import ValidationError
from domain.limit_check import violations, walk
from domain.limits import Limit
from domain.order_line import OrderLine, ScheduleLine

SCALARS = (str, int, Decimal, date, datetime)


def unlimited_fields(cls: type[Any], path: str) -> list[str]:
    """Scalar fields reachable from `cls` that no limit covers (and lists without a maximum)."""
    found: list[str] = []
    for name, hint in get_type_hints(cls, include_extras=True).items():
        found += unlimited(hint, f"{path}.{name}", limited=False)
    return found


def unlimited(hint: Any, path: str, limited: bool) -> list[str]:
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *metadata = get_args(hint)
        return unlimited(inner, path, any(isinstance(m, Limit) for m in metadata))
    if origin is Union or origin is types.UnionType:
        return [p for arg in get_args(hint) if arg is not type(None)
                for p in unlimited(arg, path, limited)]  # fmt: skip
    if origin is tuple:
        return ([] if limited else [path]) + unlimited(get_args(hint)[0], f"{path}[]", False)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return unlimited_fields(hint, path)
    return [] if limited or hint not in SCALARS else [path]


def test_every_field_of_every_command_carries_a_limit() -> None:
    missing = [p for cls in c.COMMANDS.values() for p in unlimited_fields(cls, cls.__name__)]
    assert missing == []


def test_the_hub_refuses_a_release_naming_every_broken_limit_not_just_the_first() -> None:
    hub = SupplyHub()
    bad = line(2**64, quantity="1E+1000000000", item="X" * 49, ship_to="PLANT\x00")
    command = c.ReleasePurchaseOrder("4" * 100_000, "SUP-ACME", "EUR", (line(10), bad))
    with pytest.raises(ValidationError) as refused:
        hub.handle(command, envelope())
    assert refused.value.errors == (
        ("po_number", "must be at most 35 characters"),
        ("lines[1].line_number", "must be from 1 to 999999"),
        ("lines[1].item", "must be at most 48 characters"),
        ("lines[1].quantity", "must have at most 15 digits before the decimal point"),
        ("lines[1].ship_to", "must not contain control characters"),
    )
    assert (refused.value.field, refused.value.rule) == refused.value.errors[0]


def test_an_acknowledgement_with_a_negative_huge_or_ancient_answer_is_refused() -> None:
    answers = (
        c.LineAnswer(10, AckStatus.ACCEPTED, "IA", confirmed_quantity=Decimal(-5)),
        c.LineAnswer(20, AckStatus.ACCEPTED, "IA", confirmed_quantity=Decimal("1e308")),
        c.LineAnswer(30, AckStatus.ACCEPTED, "IA", confirmed_date=date(1, 1, 1)),
        c.LineAnswer(40, AckStatus.ACCEPTED, "IA", confirmed_price=Decimal("0.0000001")),
    )
    found = violations(c.AcknowledgePurchaseOrder("4500000001", 1, answers))
    assert [(v.field, v.rule) for v in found] == [
        ("lines[0].confirmed_quantity", "must not be negative"),
        ("lines[1].confirmed_quantity", "must have at most 15 digits before the decimal point"),
        ("lines[2].confirmed_date", "must be from 1900-01-01 to 2199-12-31"),
        ("lines[3].confirmed_price", "must have at most 6 decimal places"),
    ]


def test_free_text_may_hold_newlines_and_tabs_but_identifiers_may_not() -> None:
    note = c.CancelPurchaseOrder("4500000001", reason="line one\n\tline two")
    number = c.CancelPurchaseOrder("4500000001\n", reason="")
    surrogate = c.CancelPurchaseOrder("4500000001", reason="\ud800")
    assert violations(note) == []
    assert [(v.field, v.rule) for v in violations(number) + violations(surrogate)] == [
        ("po_number", "must not contain control characters"),
        ("reason", "must not contain control characters"),
    ]


def test_trailing_zeros_do_not_count_as_decimal_places_and_non_breaking_spaces_are_text() -> None:
    command = c.ReleasePurchaseOrder(
        "4500000001", "SUP-ACME", "EUR", (line(10, quantity="1.50000000", item="A\u00a0B"),)
    )
    assert violations(command) == []


EXTREME_INTS = st.sampled_from([0, -1, 1, 999_999, 1_000_000, 2**31, 2**63, 2**64, -(2**63)])
EXTREME_DECIMALS = st.sampled_from(
    ["1E+1000000000", "NaN", "-Infinity", "sNaN", "1e-400", "9" * 5000, "-5", "0", "-0",
     "1e308", "0.0000001", "1.0000000", "999999999999999.999999", "1000000000000000", "0E+30",
     "0E-400"]
).map(Decimal) | st.decimals(places=None)  # fmt: skip
EXTREME_TEXT = st.text(max_size=60) | st.sampled_from(["", "\x00", "a" * 49, "\ud800", "\x85"])
EXTREME_DATES = st.dates() | st.sampled_from([date(1899, 12, 31), date(2200, 1, 1)])


@settings(max_examples=300, deadline=None, database=None)
@given(
    number=EXTREME_INTS | st.integers(),
    text=EXTREME_TEXT,
    amount=EXTREME_DECIMALS,
    day=EXTREME_DATES,
    count=st.integers(0, 3),
)
def test_the_fast_path_agrees_with_the_field_by_field_walk(
    number: int, text: str, amount: Decimal, day: date, count: int
) -> None:
    order_line = OrderLine(
        number, text, amount, text[:8], amount, day, "PLANT", text,
        (ScheduleLine(amount, day),) * count,
    )  # fmt: skip
    commands = [
        c.ReleasePurchaseOrder(text, "SUP", text[:3], (order_line,) * count),
        c.AcknowledgePurchaseOrder(
            "4500000001", number, (c.LineAnswer(number, AckStatus.ACCEPTED, text, amount, day),)
        ),
        c.SetTolerancePolicy("SUP", amount, number, number, amount),
    ]
    for command in commands:
        assert violations(command) == walk(command)
