"""Frozen view values to compact JSON and back, driven by their type hints (no pickles), and
built or changed without `__init__` (generated makers: the rebuild's hot path)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import orjson

Decoder = Callable[[Any], Any]

_registry: dict[str, type[Any]] = {}
_decoders: dict[type[Any], Decoder] = {}


def register(*view_types: type[Any]) -> None:
    """Make view types decodable by name (every type a table row may hold)."""
    for view_type in view_types:
        _registry[view_type.__name__] = view_type


def encode(value: Any) -> str:
    """A row's JSON: the type name, then the view as an object (orjson walks dataclasses
    natively, which matters on the rebuild's hot path). Decimals go as strings through
    `Decimal.__str__` itself, a C method: a Python default function cost ~0.3 us a value,
    a dozen values a purchase order. Any other type orjson lacks still raises TypeError."""
    return orjson.dumps([type(value).__name__, value], default=Decimal.__str__).decode()


def decode(text: str) -> Any:
    name, fields = orjson.loads(text)
    return _decoder(_registry[name])(fields)


def _decoder(hint: Any) -> Decoder:
    found = _decoders.get(hint)
    if found is None:
        found = _decoders[hint] = _build(hint)
    return found


def _build(hint: Any) -> Decoder:
    if hint in (str, int, bool, float):
        return _same
    if hint is Decimal:
        return Decimal
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = _decoder(next(arg for arg in args if arg is not type(None)))
        return lambda raw: None if raw is None else inner(raw)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda raw: tuple(item(entry) for entry in raw)
    if origin is tuple:
        parts = [_decoder(arg) for arg in args]
        return lambda raw: tuple(part(entry) for part, entry in zip(parts, raw, strict=True))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    raise TypeError(f"no decoder for {hint!r}")


def _dataclass_decoder(cls: type[Any]) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    plan = [(f.name, _decoder(hints[f.name])) for f in fields]
    converted = [(name, part) for name, part in plan if part is not _same]
    names = frozenset(name for name, _ in plan)
    direct = "__post_init__" not in vars(cls) and all(
        f.default_factory is dataclasses.MISSING for f in fields
    )

    def decode(raw: dict[str, Any]) -> Any:
        if direct and raw.keys() == names:
            # Build the frozen value directly: its __init__ sets each field through
            # object.__setattr__, which was most of the cost of reading a page of views.
            for name, part in converted:
                raw[name] = part(raw[name])
            value = object.__new__(cls)
            value.__dict__.update(raw)
            return value
        # A field missing from an older row takes its default (views only ever add fields).
        return cls(**{name: part(raw[name]) for name, part in plan if name in raw})

    return decode


def _same(raw: Any) -> Any:
    return raw


V = TypeVar("V")


def evolved(view: V, **changes: Any) -> V:
    """`dataclasses.replace` for frozen views, without re-running `__init__`: views have no
    validation in it, and this is the rebuild's hot path (about six times faster)."""
    fields = view.__dict__
    merged = fields.copy()
    merged.update(changes)
    if len(merged) != len(fields):  # a change named something the view does not have
        raise TypeError(f"{type(view).__name__} has no field {set(changes) - set(fields)}")
    new: V = object.__new__(type(view))
    object.__setattr__(new, "__dict__", merged)  # (frozen: the dict is set, not copied)
    return new


def built(cls: type[V], **fields: Any) -> V:
    """A new frozen view, without `__init__` (as `evolved`): fields with a default may be left
    out; they are stored in declared order, as `__init__` stores them (the JSON follows it).
    A missing or unknown field raises TypeError, as `__init__` would."""
    made: V = (_makers.get(cls) or _maker(cls))(**fields)
    return made


_makers: dict[type[Any], Callable[..., Any]] = {}


def _maker(cls: type[Any]) -> Callable[..., Any]:
    """One generated function per view class, the way `dataclasses` generates `__init__`,
    but setting the instance's dict in one step: Python binds the keywords (and refuses a
    wrong one) in C, where checking and reordering a keyword dict took most of `built`."""
    if "__post_init__" in vars(cls) or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} needs its __init__")
    found = dataclasses.fields(cls)
    if any(f.default_factory is not dataclasses.MISSING for f in found):
        raise TypeError(f"{cls.__name__} has a default factory")
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "put": object.__setattr__}
    params = []
    for f in found:  # dataclass field names are identifiers: safe to splice
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    values = ", ".join(f"{f.name!r}: {f.name}" for f in found)
    source = (
        f"def {cls.__name__}_made(*, {', '.join(params)}):\n"
        f"    view = new(cls)\n    put(view, '__dict__', {{{values}}})\n    return view\n"
    )
    exec(source, namespace)  # (source built from the field names only)
    maker: Callable[..., Any] = namespace[f"{cls.__name__}_made"]
    _makers[cls] = maker
    return maker
