"""Input limits, declared once on the fields of commands and value objects.

A limit is `typing.Annotated` metadata (`Text`, `Bounded`, `Amount`, `Window`, `Many`) on a
field type (`LineNumber`, `Quantity`, `DocumentNumber` ...). The hub checks a command against
them before any handler (`domain/limit_check.py`), so every edge (REST, GraphQL, NATS, the
translators) gets the same limits. Each limit also answers pydantic's duck-typed hooks (no
import): edges that parse with pydantic check it while parsing, and the OpenAPI schema states
it. The sizes and their reasons are the table in docs/api.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, get_args, get_type_hints

# C0 and C1 control characters, and lone surrogates (which no store can encode as UTF-8).
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
# Free text may also hold tab, line feed and carriage return.
_CONTROL_IN_FREE_TEXT = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
_CONTROL_IN_FREE_TEXT_RE = re.compile(f"[{_CONTROL_IN_FREE_TEXT}]")

JsonSchema = dict[str, Any]


class Names:
    """Constants a compiled check refers to, by generated name."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {"len": len, "type": type, "tuple": tuple, "int": int}

    def add(self, value: object) -> str:
        name = f"_c{len(self.values)}"
        self.values[name] = value
        return name


SchemaHandler = Callable[[Any], JsonSchema]

_LIMITS_LEFT_OUT: ContextVar[bool] = ContextVar("limits_left_out", default=False)


@contextmanager
def limits_left_out(left_out: bool = True) -> Iterator[None]:
    """Parsers built inside leave the limits out: a fast parse for edges that hand every
    command to the hub, which checks all limits after it. Such an edge parses again with
    the limits only when the fast parse fails, to report the limits broken beside the
    parse errors (checking them while parsing cost a bulk request a fifth of its rate)."""
    token = _LIMITS_LEFT_OUT.set(left_out)
    try:
        yield
    finally:
        _LIMITS_LEFT_OUT.reset(token)


class Limit:
    """What a field may hold. `broken` names the rule a value breaks (None: within it);
    `fast` is a quick sufficient test as source code, for the compiled fast path."""

    def broken(self, value: object) -> str | None:
        raise NotImplementedError

    def fast(self, x: str, names: Names) -> str:
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: SchemaHandler) -> JsonSchema:
        """Edges that parse with pydantic check the limit while parsing, so a request's
        limit and parse errors are reported together (pydantic's core schema as plain data:
        the type's own schema, then this check). Where pydantic's own constraints can say
        it, they do, in the limit's words: a Python call per field cost a bulk import a
        fifth of its rate; the hub's check after parsing still decides."""
        if _LIMITS_LEFT_OUT.get():
            return handler(source)
        parsed = self._parsing(handler(source))
        native = self._native(parsed)
        if native is not None:
            return native
        return {
            "type": "function-after",
            "function": {"type": "no-info", "function": self._validate},
            "schema": parsed,
        }

    def _parsing(self, schema: JsonSchema) -> JsonSchema:
        return schema

    def _native(self, schema: JsonSchema) -> JsonSchema | None:
        """The limit as pydantic's own constraints on `schema`; None when they cannot say it."""
        return None

    def _validate(self, value: object) -> object:
        if (rule := self.broken(value)) is not None:
            raise ValueError(rule)
        return value


@dataclass(frozen=True)
class Text(Limit):
    """At most `max` characters and no control characters (free text: tab and newlines)."""

    max: int
    free: bool = False

    def broken(self, value: object) -> str | None:
        if type(value) is not str:
            return "must be text"
        if len(value) > self.max:
            return f"must be at most {self.max} characters"
        if (_CONTROL_IN_FREE_TEXT_RE if self.free else _CONTROL_RE).search(value):
            return "must not contain control characters"
        return None

    def _native(self, schema: JsonSchema) -> JsonSchema | None:
        if schema.get("type") != "str":
            return None
        # (Lone surrogates are no Rust string: the hub's check after parsing refuses them.)
        forbidden = (_CONTROL_IN_FREE_TEXT if self.free else _CONTROL).split("\\ud800")[0]
        length = {"type": "str", "max_length": self.max}
        printable = {"type": "str", "pattern": f"^[^{forbidden}]*$"}
        return _checked(
            schema,
            (length, f"must be at most {self.max} characters"),
            (printable, "must not contain control characters"),
        )

    def fast(self, x: str, names: Names) -> str:
        # isprintable() is a quick sufficient test; the rare text it doubts (a no-break
        # space, a tab in free text) goes to `broken`, which decides.
        return f"(len({x}) <= {self.max} and {x}.isprintable())"  # (only str has both)

    def __get_pydantic_json_schema__(self, core: Any, handler: SchemaHandler) -> JsonSchema:
        schema = handler(core)
        forbidden = _CONTROL_IN_FREE_TEXT if self.free else _CONTROL
        schema.update(maxLength=self.max, pattern=f"^[^{forbidden}]*$")
        return schema


@dataclass(frozen=True)
class Bounded(Limit):
    """An integer from `low` to `high`, both included."""

    low: int
    high: int

    def broken(self, value: object) -> str | None:
        if type(value) is not int:
            return "must be an integer"
        if not self.low <= value <= self.high:
            return f"must be from {self.low} to {self.high}"
        return None

    def _native(self, schema: JsonSchema) -> JsonSchema | None:
        if schema.get("type") != "int":
            return None
        step = {"type": "int", "ge": self.low, "le": self.high}
        return _checked(schema, (step, f"must be from {self.low} to {self.high}"))

    def fast(self, x: str, names: Names) -> str:
        return f"(type({x}) is int and {self.low} <= {x} <= {self.high})"

    def __get_pydantic_json_schema__(self, core: Any, handler: SchemaHandler) -> JsonSchema:
        schema = handler(core)
        schema.update(minimum=self.low, maximum=self.high)
        return schema


class Sign(Enum):
    POSITIVE = "greater than 0"
    NOT_NEGATIVE = "not negative"


@dataclass(frozen=True)
class Amount(Limit):
    """A finite decimal: at most `digits` before the point and `scale` after it, and a sign."""

    digits: int
    scale: int
    sign: Sign

    def broken(self, value: object) -> str | None:
        if type(value) is not Decimal:
            return "must be a decimal number"
        if not value.is_finite():
            return "must be a finite number"
        if self.sign is Sign.POSITIVE and not value > 0:
            return "must be greater than 0"
        if value < 0:
            return "must not be negative"
        if value >= Decimal(10) ** self.digits:  # (an exponent alone does not count: 0E+30)
            return f"must have at most {self.digits} digits before the decimal point"
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite
        if exponent < -self.scale and _places(value) > self.scale:
            return f"must have at most {self.scale} decimal places"
        return None

    def _parsing(self, schema: JsonSchema) -> JsonSchema:
        # Let NaN and Infinity through the parse, so `broken` refuses them in its own words.
        return {**schema, "allow_inf_nan": True} if schema.get("type") == "decimal" else schema

    # No `_native`: each of pydantic's decimal constraints is a further pass that calls back
    # into Python (as_tuple, normalize), dearer than the one call to `broken`.

    def fast(self, x: str, names: Names) -> str:
        zero, top = names.add(Decimal(0)), names.add(Decimal(10) ** self.digits)
        step = names.add(Decimal(1).scaleb(-self.scale))
        low = f"{zero} <" if self.sign is Sign.POSITIVE else f"{zero} <="
        # Comparing NaN raises (the fast path then says no); bounded first, quantize within
        # the context's 28 digits cannot fail; only a Decimal has quantize.
        return f"({low} {x} < {top} and {x}.quantize({step}) == {x})"

    def __get_pydantic_json_schema__(self, core: Any, handler: SchemaHandler) -> JsonSchema:
        schema = handler(core)
        bounds: JsonSchema = {"maximum": float(Decimal(10) ** self.digits - 1)}
        if self.sign is Sign.POSITIVE:
            bounds["exclusiveMinimum"] = 0
        else:
            bounds["minimum"] = 0
        pattern = f"^\\+?[0-9]{{1,{self.digits}}}(\\.[0-9]{{1,{self.scale}}})?$"
        for branch in schema.get("anyOf", [schema]):  # pydantic: a number or a string
            if branch.get("type") == "number":
                branch.update(bounds)
            elif branch.get("type") == "string":
                branch["pattern"] = pattern
        return schema


def _checked(schema: JsonSchema, *steps: tuple[JsonSchema, str]) -> JsonSchema:
    """`schema`, then each constraint in turn, a failure said in the limit's own words."""
    return {"type": "chain", "steps": [schema, *(
        {"type": "custom-error", "schema": step, "custom_error_type": "limit",
         "custom_error_message": rule}
        for step, rule in steps
    )]}  # fmt: skip


def rule_of(error_type: str, message: str, context: Mapping[str, object] | None) -> str:
    """A parse error's rule in the limits' words, from pydantic's error type, message and
    context (plain data: the domain imports no pydantic)."""
    if error_type in _UNKNOWN_FIELD:
        return "unknown field"
    if error_type == "value_error" and context and "error" in context:
        return str(context["error"])  # a limit's Python check, without "Value error, "
    if error_type == "too_long" and context and "max_length" in context:
        return f"must have at most {context['max_length']} items"
    return message


# pydantic's error types for a field the type does not have (a dataclass's, a model's).
_UNKNOWN_FIELD = frozenset({"unexpected_keyword_argument", "extra_forbidden"})


def forbid_unknown_fields(*types: type) -> None:
    """Edges that parse with pydantic refuse a field these dataclasses (and every dataclass
    in their fields) do not have, rather than drop it silently: pydantic's duck-typed
    `__pydantic_config__`, as plain data (no import). Call it before any parser is built."""
    seen: set[type] = set()
    pending = list(types)
    while pending:
        kind = pending.pop()
        if kind in seen or not dataclasses.is_dataclass(kind):
            continue
        seen.add(kind)
        kind.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
        for hint in get_type_hints(kind, include_extras=True).values():
            pending.extend(_types_in(hint))


def _types_in(hint: Any) -> Iterator[type]:
    if isinstance(hint, type):
        yield hint
    for argument in get_args(hint):
        yield from _types_in(argument)


def _places(value: Decimal) -> int:
    """Decimal places once trailing zeros are dropped (1.2500 has 2)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not value:
        return 0
    end = len(digits)
    while end > 1 and digits[end - 1] == 0 and exponent < 0:
        end, exponent = end - 1, exponent + 1
    return max(-exponent, 0)


@dataclass(frozen=True)
class Window(Limit):
    """A date (or the date of a time) from `first` to `last`: fixed, the domain reads no clock."""

    first: date
    last: date

    def broken(self, value: object) -> str | None:
        day = value.date() if isinstance(value, datetime) else value
        if not isinstance(day, date):
            return "must be a date"
        if not self.first <= day <= self.last:
            return f"must be from {self.first.isoformat()} to {self.last.isoformat()}"
        return None

    def _native(self, schema: JsonSchema) -> JsonSchema | None:
        if schema.get("type") != "date":  # times (rare: an ETA) keep the Python check
            return None
        step = {"type": "date", "ge": self.first, "le": self.last}
        rule = f"must be from {self.first.isoformat()} to {self.last.isoformat()}"
        return _checked(schema, (step, rule))

    def fast(self, x: str, names: Names) -> str:
        # Times (rare: an ETA) are left to `broken`.
        first, last = names.add(self.first), names.add(self.last)
        return f"({first} <= {x} <= {last})"  # (a datetime does not compare with a date)

    def __get_pydantic_json_schema__(self, core: Any, handler: SchemaHandler) -> JsonSchema:
        schema = handler(core)
        first, last = self.first.isoformat(), self.last.isoformat()
        schema["description"] = f"From {first} to {last}."
        return schema


@dataclass(frozen=True)
class Many(Limit):
    """At most `max` items in a list (lines of a document, packs of an ASN ...)."""

    max: int

    def broken(self, value: object) -> str | None:
        if type(value) is not tuple:
            return "must be a list"
        if len(value) > self.max:
            return f"must have at most {self.max} items"
        return None

    def _native(self, schema: JsonSchema) -> JsonSchema | None:
        # On the list itself, not a second step: that would validate every item again.
        # `rule_of` words pydantic's "too_long" as this limit does.
        if schema.get("type") not in ("tuple", "list"):
            return None
        return {**schema, "max_length": self.max}

    def fast(self, x: str, names: Names) -> str:
        return f"(type({x}) is tuple and len({x}) <= {self.max})"

    def __get_pydantic_json_schema__(self, core: Any, handler: SchemaHandler) -> JsonSchema:
        schema = handler(core)
        schema["maxItems"] = self.max
        return schema


# --- the limits of the canonical fields (docs/api.md has the table and the reasons) -------

DocumentNumber = Annotated[str, Text(35)]  # PO, ASN, invoice, receipt, hold, proposal numbers
PartyId = Annotated[str, Text(35)]  # supplier keys, ERP ids, plants, partner ids
ItemCode = Annotated[str, Text(48)]
Code = Annotated[str, Text(35)]  # status and answer codes, channels
UnitCode = Annotated[str, Text(8)]
CurrencyCode = Annotated[str, Text(3)]
Reference = Annotated[str, Text(50)]  # packs, lots, serials, carriers, tracking, certificates
Name = Annotated[str, Text(175)]
CaseKey = Annotated[str, Text(200)]
Description = Annotated[str, Text(512, free=True)]
Note = Annotated[str, Text(1000, free=True)]  # reasons, notes, resolutions
Comment = Annotated[str, Text(2000, free=True)]  # a person's comment on an exception case

LineNumber = Annotated[int, Bounded(1, 999_999)]
Revision = Annotated[int, Bounded(1, 9_999)]
Days = Annotated[int, Bounded(0, 366)]
Hours = Annotated[int, Bounded(0, 8_760)]  # an alert rule's age: up to a year

Quantity = Annotated[Decimal, Amount(15, 6, Sign.POSITIVE)]
QuantityOrZero = Annotated[Decimal, Amount(15, 6, Sign.NOT_NEGATIVE)]
Price = Annotated[Decimal, Amount(15, 6, Sign.NOT_NEGATIVE)]
Percent = Annotated[Decimal, Amount(4, 4, Sign.NOT_NEGATIVE)]

Day = Annotated[date, Window(date(1900, 1, 1), date(2199, 12, 31))]
Moment = Annotated[datetime, Window(date(1900, 1, 1), date(2199, 12, 31))]

MAX_LINES = Many(9_999)  # lines of a document; packs of an ASN, items of a pack
MAX_REFERENCES = Many(999)  # lots and serials of an ASN item, a supplier's channel ids
