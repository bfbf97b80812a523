"""The check of a command against its fields' limits (`domain/limits.py`): every broken one,
by path, in one pass; called once per command by the application before any handler."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from domain.limits import Limit, Names


@dataclass(frozen=True)
class Violation:
    """One broken limit: the field's path (`lines[3].quantity`) and the rule."""

    field: str
    rule: str


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
