"""The event transcoder: the library's JSON format, encoded and decoded by orjson."""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATACLASS  # value objects go through their registered transcodings
    | orjson.OPT_PASSTHROUGH_DATETIME  # as do datetimes and dates, to keep the library's format
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


class OrjsonTranscoder(JSONTranscoder):
    """Writes exactly the bytes the library's JSONTranscoder writes, about twice as fast, and
    reads them back to exactly the values its decoder gives.

    Encoding every event is a third of a bulk import's time, most of it the standard json
    module calling back into Python for each value object. orjson calls the same
    transcodings. Reading parses with orjson, then revives the `{"_type_", "_data_"}` objects
    bottom-up through the same transcodings, as the library's object hook would, but without a
    Python call for every other JSON object. `tests/test_fast_json.py` checks both directions
    for every event the demo writes.
    """

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self._encode_obj, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            # What orjson refuses but the json module reads (NaN, Infinity) or refuses
            # differently (bytes that are not UTF-8): the library decides, as it always has.
            return super().decode(data)
        kind = type(value)
        if kind is dict:
            return self._revive(value)
        if kind is list:
            self._revive_items(value)
        return value

    def _revive(self, obj: dict[str, Any]) -> Any:
        """A JSON object with its nested objects revived, then itself through its transcoding
        if it is exactly `{"_type_": name, "_data_": data}`, as `_decode_obj` decides."""
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            name, data = obj["_type_"], obj["_data_"]
            if type(name) is str:  # else revived in document order, below
                if type(data) is dict:
                    data = self._revive(data)
                elif type(data) is list and data:
                    self._revive_items(data)
                if (transcoding := self.names.get(name)) is not None:
                    return transcoding.decode(data)
                obj["_data_"] = data
                return self._decode_obj(obj)  # raises the library's TranscodingNotRegisteredError
        for key, value in obj.items():
            if type(value) is dict:
                obj[key] = self._revive(value)
            elif type(value) is list and value:
                self._revive_items(value)
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            return self._decode_obj(obj)
        return obj

    def _revive_items(self, items: list[Any]) -> None:
        for index, value in enumerate(items):
            if type(value) is dict:
                items[index] = self._revive(value)
            elif type(value) is list and value:
                self._revive_items(value)
