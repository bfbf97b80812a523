"""How the domain's value objects are stored inside events (JSON, field by field)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter
from typing import Any

from eventsourcing.persistence import Transcoding

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _scalar_codec(hint: Any) -> Codec | None:
    """Encode/decode for a field whose type is a scalar JSON cannot hold as such."""
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in (
        args := typing.get_args(hint)
    )
    if optional:
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1 or (codec := _scalar_codec(inner[0])) is None:
            return None
        encode, decode = codec
        return (
            lambda v: None if v is None else encode(v),
            lambda v: None if v is None else decode(v),
        )
    if hint is Decimal:
        return str, Decimal
    if hint is datetime:
        return datetime.isoformat, datetime.fromisoformat
    if hint is date:
        return date.isoformat, date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return attrgetter("value"), hint
    if typing.get_origin(hint) is tuple:
        return _same, tuple
    return None


def _same(value: Any) -> Any:
    return value


def _compile_encoder(fields: tuple[str, ...], codecs: dict[str, Codec]) -> Callable[[Any], Any]:
    """`obj -> {field: stored value}` as one generated function, the way `dataclasses`
    generates `__init__`: a dict display instead of a loop over codecs, which made the
    value objects' encoding the largest Python cost of writing an event."""
    namespace: dict[str, Any] = {}
    items = []
    for name in fields:  # dataclass field names are identifiers: safe to splice
        encode = codecs[name][0] if name in codecs else _same
        if encode is _same:
            items.append(f"{name!r}: d[{name!r}]")
        else:
            namespace[f"_encode_{name}"] = encode
            items.append(f"{name!r}: _encode_{name}(d[{name!r}])")
    source = "def encode(obj):\n    d = obj.__dict__\n    return {" + ", ".join(items) + "}\n"
    exec(source, namespace)  # (source built from the field names only)
    encoder: Callable[[Any], Any] = namespace["encode"]
    return encoder


class ValueTranscoding(Transcoding):
    """A frozen dataclass as a JSON object of its fields.

    Fields are stored by name, so adding a field with a default keeps old events readable.
    Scalars JSON lacks (Decimal, date, datetime, enums) are written as strings by the field's
    declared type, which keeps the stored JSON small and fast to encode; nested value objects
    go through their own transcodings.
    """

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        hints = typing.get_type_hints(cls)
        self._fields = tuple(field.name for field in dataclasses.fields(cls))
        self._field_names = frozenset(self._fields)
        self._codecs = {
            name: codec
            for name in self._fields
            if (codec := _scalar_codec(hints[name])) is not None
        }
        fields = dataclasses.fields(cls)
        # Reading builds the instance directly: a frozen dataclass's __init__ sets each field
        # through object.__setattr__, which was most of the cost of decoding an event. Fields
        # an older event lacks take their declared defaults, as __init__ would give them.
        self._defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        self._direct = not any(f.default_factory is not dataclasses.MISSING for f in fields) and (
            "__post_init__" not in vars(cls)
        )
        self._encode = _compile_encoder(self._fields, self._codecs)

    def encode(self, obj: Any) -> dict[str, Any]:
        encoded: dict[str, Any] = self._encode(obj)
        return encoded

    def decode(self, data: dict[str, Any]) -> Any:
        for name, (_, decode) in self._codecs.items():
            if name in data:
                data[name] = decode(data[name])
        if not self._direct or data.keys() != self._field_names:
            return self.type(**{**self._defaults, **data})
        obj: Any = object.__new__(self.type)
        obj.__dict__.update(data)
        return obj
