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
    natively, which matters on the rebuild's hot path; Decimals go as strings)."""
    return orjson.dumps([type(value).__name__, value], default=_decimal).decode()


def decode(text: str) -> Any:
    name, fields = orjson.loads(text)
    return _decoder(_registry[name])(fields)


def _decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


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
        hints = typing.get_type_hints(hint)
        plan = [(field.name, _decoder(hints[field.name])) for field in dataclasses.fields(hint)]
        cls: type[Any] = hint
        # A field missing from an older row takes its default (views only ever add fields).
        return lambda raw: cls(**{name: part(raw[name]) for name, part in plan if name in raw})
    raise TypeError(f"no decoder for {hint!r}")


def _same(raw: Any) -> Any:
    return raw
