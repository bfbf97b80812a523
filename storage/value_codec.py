"""How the domain's value objects are stored inside events (JSON, field by field)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter
from typing import Any

import orjson
from eventsourcing.persistence import Transcoding

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def isoformat(value: datetime) -> str:
    """Exactly `datetime.isoformat(value)`, written by orjson for naive and UTC datetimes (what
    the hub itself stamps) in about half the time: the two datetimes of every event made the
    standard method the dearest call of encoding one. Other offsets take the standard method,
    which orjson would write differently for offsets with seconds."""
    if type(value) is datetime and (value.tzinfo is None or value.tzinfo is UTC):
        return orjson.dumps(value)[1:-1].decode()
    return datetime.isoformat(value)


def _scalar_codec(hint: Any) -> Codec | None:
    """Encode/decode for a field whose type is a scalar JSON cannot hold as such."""
    inner, optional = _unwrap_optional(hint)
    if (codec := _plain_codec(inner)) is None:
        return None
    if not optional:
        return codec
    encode, decode = codec
    return (
        lambda v: None if v is None else encode(v),
        lambda v: None if v is None else decode(v),
    )


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """`X | None` as `(X, True)`; any other hint as `(hint, False)`."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return hint, False
    args = typing.get_args(hint)
    inner = [arg for arg in args if arg is not type(None)]
    if len(inner) != 1:
        return hint, False  # a wider union: no codec, stored as it is
    return inner[0], True


def _plain_codec(hint: Any) -> Codec | None:
    if hint is Decimal:
        return str, Decimal
    if hint is datetime:
        return isoformat, datetime.fromisoformat
    if hint is date:
        return date.isoformat, date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return attrgetter("_value_"), hint  # what `.value` reads, without its Python frame
    if typing.get_origin(hint) is tuple:
        return _same, tuple
    return None


def _same(value: Any) -> Any:
    return value


def _compile_encoder(name: str, hints: dict[str, Any]) -> Callable[[Any], Any]:
    """`obj -> {"_type_": name, "_data_": {field: stored value}}` as one generated function,
    the way `dataclasses` generates `__init__`: a dict display instead of a loop over codecs,
    which made the value objects' encoding the largest Python cost of writing an event. It
    gives the library's whole JSON object for the value, so an encoder that knows it (the
    orjson transcoder) spends one Python call on it instead of three."""
    namespace: dict[str, Any] = {}
    items = []
    for field, hint in hints.items():  # dataclass field names are identifiers: safe to splice
        inner, optional = _unwrap_optional(hint)
        codec = _plain_codec(inner)
        if codec is None or codec[0] is _same:
            items.append(f"{field!r}: d[{field!r}]")
            continue
        namespace[f"_encode_{field}"] = codec[0]
        if optional:
            value = f"None if (v := d[{field!r}]) is None else _encode_{field}(v)"
        else:
            value = f"_encode_{field}(d[{field!r}])"
        items.append(f"{field!r}: {value}")
    source = (
        "def encode(obj):\n    d = obj.__dict__\n"
        f"    return {{'_type_': {name!r}, '_data_': {{{', '.join(items)}}}}}\n"
    )
    exec(source, namespace)  # (source built from the class and field names only)
    encoder: Callable[[Any], Any] = namespace["encode"]
    return encoder


def _compile_decoder(
    cls: type[Any], hints: dict[str, Any], slow: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """`{field: stored value} -> obj` as one generated function, for a stored object that has
    exactly the class's fields: each converted value put back into the decoded dict, which then
    becomes the instance's `__dict__` (no `__init__`, no copy). Enum fields are read from a
    dict of the members by value, as `Enum.__call__` does first but without its Python-level
    frames, which made them the dearest fields to read. Anything else (a missing or extra
    field, a value no member has) goes to `slow`, which decides as the transcoding always has,
    error included; the enum lookups come first, so nothing is converted twice."""
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_setattr": object.__setattr__,
        "_fields": frozenset(hints),
        "_slow": slow,
    }
    lookups: list[tuple[str, str]] = []  # (field, expression): enums, a miss goes to `slow`
    conversions: list[tuple[str, str]] = []  # the other converted fields
    for name, hint in hints.items():  # dataclass field names are identifiers: safe to splice
        inner, optional = _unwrap_optional(hint)
        read = "v" if optional else f"data[{name!r}]"
        if isinstance(inner, type) and issubclass(inner, Enum):
            namespace[f"_members_{name}"] = {member.value: member for member in inner}
            value, into = f"_members_{name}[{read}]", lookups
        elif (codec := _plain_codec(inner)) is not None:
            namespace[f"_decode_{name}"] = codec[1]
            value, into = f"_decode_{name}({read})", conversions
        else:
            continue  # stored as it is (str, int, bool) or revived by the transcoder
        if optional:
            value = f"None if (v := data[{name!r}]) is None else {value}"
        into.append((name, value))
    source = "def decode(data):\n    if data.keys() != _fields:\n        return _slow(data)\n"
    if lookups:
        source += "    try:\n"
        source += "".join(f"        member_{name} = {value}\n" for name, value in lookups)
        source += "    except (KeyError, TypeError):\n        return _slow(data)\n"
        source += "".join(f"    data[{name!r}] = member_{name}\n" for name, _ in lookups)
    source += "".join(f"    data[{name!r}] = {value}\n" for name, value in conversions)
    source += "    obj = _new(_cls)\n    _setattr(obj, '__dict__', data)\n    return obj\n"
    exec(source, namespace)  # (source built from the field names only)
    decoder: Callable[[Any], Any] = namespace["decode"]
    return decoder


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
        fields = dataclasses.fields(cls)
        self._fields = tuple(field.name for field in fields)
        self._field_names = frozenset(self._fields)
        self._codecs = {
            name: codec
            for name in self._fields
            if (codec := _scalar_codec(hints[name])) is not None
        }
        # Reading builds the instance directly: a frozen dataclass's __init__ sets each field
        # through object.__setattr__, which was most of the cost of decoding an event. Fields
        # an older event lacks take their declared defaults, as __init__ would give them.
        self._defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        self._direct = (
            not any(f.default_factory is not dataclasses.MISSING for f in fields)
            and "__post_init__" not in vars(cls)
            and "__slots__" not in vars(cls)
        )
        self.encode_typed = _compile_encoder(
            self.name, {name: hints[name] for name in self._fields}
        )
        self._decode = (
            _compile_decoder(cls, {name: hints[name] for name in self._fields}, self._decode_slowly)
            if self._direct
            else self._decode_slowly
        )

    def encode(self, obj: Any) -> dict[str, Any]:
        encoded: dict[str, Any] = self.encode_typed(obj)["_data_"]
        return encoded

    def decode(self, data: dict[str, Any]) -> Any:
        """The value stored as `data`, which it takes over (the instance may keep it)."""
        return self._decode(data)

    def _decode_slowly(self, data: dict[str, Any]) -> Any:
        """Any stored object, field by field: older events lacking fields, unusual classes."""
        for name, (_, decode) in self._codecs.items():
            if name in data:
                data[name] = decode(data[name])
        if not self._direct or data.keys() != self._field_names:
            return self.type(**{**self._defaults, **data})
        obj: Any = object.__new__(self.type)
        obj.__dict__.update(data)
        return obj
