"""Input limits, declared once on the fields of commands and value objects, checked once.

A limit is `typing.Annotated` metadata (`Text`, `Bounded`, `Amount`, `Window`, `Many`);
`violations(command)` walks a command and names every limit it breaks, and the application
refuses the command with all of them before any handler runs, so every edge (REST, GraphQL,
NATS, translators) gets the same limits. Each limit also answers pydantic's duck-typed
`__get_pydantic_json_schema__` hook (no import), so the OpenAPI schema states it.
The sizes and their reasons are the table in docs/api.md.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

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


@dataclass(frozen=True)
class Violation:
    """One broken limit: the field's path (`lines[3].quantity`) and the rule."""

    field: str
    rule: str


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
        the type's own schema, then this check)."""
        return {
            "type": "function-after",
            "function": {"type": "no-info", "function": self._validate},
            "schema": self._parsing(handler(source)),
        }

    def _parsing(self, schema: JsonSchema) -> JsonSchema:
        return schema

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

LineNumber = Annotated[int, Bounded(1, 999_999)]
Revision = Annotated[int, Bounded(1, 9_999)]
Days = Annotated[int, Bounded(0, 366)]

Quantity = Annotated[Decimal, Amount(15, 6, Sign.POSITIVE)]
QuantityOrZero = Annotated[Decimal, Amount(15, 6, Sign.NOT_NEGATIVE)]
Price = Annotated[Decimal, Amount(15, 6, Sign.NOT_NEGATIVE)]
Percent = Annotated[Decimal, Amount(4, 4, Sign.NOT_NEGATIVE)]

Day = Annotated[date, Window(date(1900, 1, 1), date(2199, 12, 31))]
Moment = Annotated[datetime, Window(date(1900, 1, 1), date(2199, 12, 31))]

MAX_LINES = Many(9_999)  # lines of a document; packs of an ASN, items of a pack
MAX_REFERENCES = Many(999)  # lots and serials of an ASN item, a supplier's channel ids

# --- the check -------------------------------------------------------------------------------

Check = Callable[[object, str, list[Violation]], None]
_PLANS: dict[type[Any], tuple[tuple[str, Check], ...]] = {}
_WITHIN: dict[type[Any], Callable[[object], bool]] = {}


def violations(command: object) -> list[Violation]:
    """Every limit `command` breaks, in field order; empty when it is within them all."""
    if _within(type(command))(command):
        return []
    return walk(command)


def walk(command: object) -> list[Violation]:
    """The same answer as `violations`, field by field, without the compiled fast path."""
    found: list[Violation] = []
    for name, check in _plan(type(command)):
        check(getattr(command, name), name, found)
    return found


def _plan(cls: type[Any]) -> tuple[tuple[str, Check], ...]:
    """The checks of a dataclass's limited fields, worked out once per class."""
    if (known := _PLANS.get(cls)) is not None:
        return known
    hints = get_type_hints(cls, include_extras=True)
    plan = []
    for field in dataclasses.fields(cls):
        if (check := _check(hints[field.name])) is not None:
            plan.append((field.name, check))
    _PLANS[cls] = tuple(plan)
    return _PLANS[cls]


def _check(hint: Any) -> Check | None:
    origin = get_origin(hint)
    if origin is Annotated:
        return _limited(hint)
    if origin is Union or origin is types.UnionType:
        inner = [_check(arg) for arg in get_args(hint) if arg is not type(None)]
        if len(inner) != 1 or (present := inner[0]) is None:
            return None
        return lambda value, where, found: None if value is None else present(value, where, found)
    if origin is tuple and get_args(hint)[1:] == (Ellipsis,):
        return _each(_check(get_args(hint)[0]))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _fields(hint)
    return None


def _limited(hint: Any) -> Check:
    inner, *metadata = get_args(hint)
    limits = tuple(m for m in metadata if isinstance(m, Limit))
    then = _check(inner)

    def check(value: object, where: str, found: list[Violation]) -> None:
        for limit in limits:
            if (rule := limit.broken(value)) is not None:
                found.append(Violation(where, rule))
                return
        if then is not None:
            then(value, where, found)

    return check


def _each(item: Check | None) -> Check | None:
    if item is None:
        return None

    def check(values: object, where: str, found: list[Violation]) -> None:
        if type(values) is not tuple:
            found.append(Violation(where, "must be a list"))
            return
        for index, value in enumerate(values):
            item(value, f"{where}[{index}]", found)

    return check


def _fields(cls: type[Any]) -> Check:
    def check(value: object, where: str, found: list[Violation]) -> None:
        if type(value) is not cls:
            found.append(Violation(where, f"must be a {cls.__name__}"))
            return
        for name, field_check in _plan(cls):
            field_check(getattr(value, name), f"{where}.{name}", found)

    return check


# --- the fast path ---------------------------------------------------------------------------
# Nearly every command is within its limits, and the check runs on every one (a bulk import
# of 10,000 orders included): each class gets one compiled function that answers only
# "within all limits?", as straight-line code. False sends the command to the walk above,
# which names what is broken (and decides the few cases the quick tests doubt).


def _within(cls: type[Any]) -> Callable[[object], bool]:
    if (known := _WITHIN.get(cls)) is not None:
        return known
    names = Names()
    body = _fast(cls, "o", names) or []
    # Constants and builtins as keyword defaults: local variables, the fastest to read.
    constants = ", ".join(f"{name}={name}" for name in names.values)
    source = (
        f"def within(o, *, {constants}):\n    try:\n"
        + "".join(f"        {line}\n" for line in body)
        + "    except Exception:\n        return False\n    return True\n"
    )
    namespace: dict[str, Any] = dict(names.values)
    exec(source, namespace)  # (source built from the field names and the limits only)
    within: Callable[[object], bool] = namespace["within"]
    _WITHIN[cls] = within
    return within


def _fast(hint: Any, x: str, names: Names) -> list[str] | None:
    """Lines of code that return False unless `x` is surely within the limits of `hint`."""
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *metadata = get_args(hint)
        tests = [m.fast(x, names) for m in metadata if isinstance(m, Limit)]
        then = _fast(inner, x, names) or []
        return [f"if not ({' and '.join(tests)}): return False", *then] if tests else then
    if origin is Union or origin is types.UnionType:
        inner = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(inner) != 1 or (present := _fast(inner[0], x, names)) is None:
            return None
        return [f"if {x} is not None:", *(f"    {line}" for line in present)]
    if origin is tuple and get_args(hint)[1:] == (Ellipsis,):
        item = f"{x}_each"
        if (each := _fast(get_args(hint)[0], item, names)) is None:
            return None
        return [f"for {item} in {x}:", *(f"    {line}" for line in each)]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        # Inline, not a call: a value object's checks run once per line of a document.
        lines = [f"if type({x}) is not {names.add(hint)}: return False"]
        hints = get_type_hints(hint, include_extras=True)
        for index, field in enumerate(dataclasses.fields(hint)):
            var = f"{x}_{index}"
            if (test := _fast(hints[field.name], var, names)) is not None:
                lines += [f"{var} = {x}.{field.name}", *test]
        return lines
    return None
