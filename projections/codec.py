"""Frozen view values to compact JSON and back, driven by their type hints (no pickles)."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

_registry: dict[str, type[Any]] = {}
_decoders: dict[type[Any], Decoder] = {}
_encoders: dict[Any, Encoder] = {}


def register(*view_types: type[Any]) -> None:
    """Make view types decodable by name (every type a table row may hold)."""
    for view_type in view_types:
        _registry[view_type.__name__] = view_type


def encode(value: Any) -> str:
    """A row's JSON: the type name, then the fields in declaration order."""
    view_type = type(value)
    return json.dumps([view_type.__name__, _encoder(view_type)(value)], separators=(",", ":"))


def decode(text: str) -> Any:
    name, fields = json.loads(text)
    return _decoder(_registry[name])(fields)


def _encoder(hint: Any) -> Encoder:
    """Compiled once per type from its hints: encoding is on the rebuild's hot path."""
    found = _encoders.get(hint)
    if found is None:
        found = _encoders[hint] = _build_encoder(hint)
    return found


def _build_encoder(hint: Any) -> Encoder:
    if hint in (str, int, bool, float):
        return _same
    if hint is Decimal:
        return str
    if hint in (datetime, date):  # isoformat keeps a datetime's offset
        return _isoformat
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = _encoder(next(arg for arg in args if arg is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _encoder(args[0])
        if item is _same:
            return list
        return lambda value: [item(entry) for entry in value]
    if origin is tuple:
        parts = [_encoder(arg) for arg in args]
        return lambda value: [part(entry) for part, entry in zip(parts, value, strict=True)]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        plan = [(field.name, _encoder(hints[field.name])) for field in dataclasses.fields(hint)]
        return lambda value: [part(getattr(value, name)) for name, part in plan]
    raise TypeError(f"no encoder for {hint!r}")


def _isoformat(value: date) -> str:
    return value.isoformat()


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
        parts = [_decoder(hints[field.name]) for field in dataclasses.fields(hint)]
        cls: type[Any] = hint
        return lambda raw: cls(*(part(entry) for part, entry in zip(parts, raw, strict=False)))
    raise TypeError(f"no decoder for {hint!r}")


def _same(raw: Any) -> Any:
    return raw
