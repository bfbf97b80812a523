"""Frozen view values to compact JSON and back, driven by their type hints (no pickles)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
