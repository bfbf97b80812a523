"""How the domain's value objects are stored inside events (JSON, field by field)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValueTranscoding(Transcoding):
    """A frozen dataclass as a JSON object of its fields.

    Fields are stored by name, so adding a field with a default keeps old events readable.
    On the way back, lists become tuples and strings become enums, as the field types say.
    """

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        hints = typing.get_type_hints(cls)
        self._fields = tuple(field.name for field in dataclasses.fields(cls))
        self._enums = {
            name: hint
            for name, hint in hints.items()
            if isinstance(hint, type) and issubclass(hint, Enum)
        }
        self._tuples = {name for name, hint in hints.items() if typing.get_origin(hint) is tuple}

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        for name in self._tuples.intersection(data):
            data[name] = tuple(data[name])
        for name, enum in self._enums.items():
            if name in data:
                data[name] = enum(data[name])
        return self.type(**data)
