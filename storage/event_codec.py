"""How an event is stored: the library's JSON format, encoded and decoded by orjson.

Start here. `OrjsonTranscoder` turns an event's fields into the stored bytes and back; the
value objects inside events are registered below (`VALUE_TYPES`), each written field by field
by its generated codec (`storage/value_codec.py`). The application gets this transcoder from
its environment (`TRANSCODER_TOPIC`, set by `storage/database.py`'s `event_store_env`), the
library's own way of choosing one, as it chooses the recorder. `read_field` reads one field of
a stored event (the relay's provenance) through the same decoding, without the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    Transcoding,
)

from domain import (
    acknowledgement,
    change_proposal,
    goods_receipt,
    invoice,
    order_line,
    outcome,
    provenance,
    shipment,
    supplier,
)
from domain.provenance import Provenance
from domain.tolerance import TolerancePolicy
from storage.value_codec import DateAsISO, ValueTranscoding, isoformat

# Every value object that travels inside an event.
VALUE_TYPES: tuple[type[Any], ...] = (
    provenance.Provenance,
    order_line.OrderLine,
    order_line.ScheduleLine,
    order_line.LineQuantity,
    acknowledgement.LineResponse,
    change_proposal.ChangeProposal,
    shipment.AsnOrder,
    shipment.AsnPack,
    shipment.AsnItem,
    goods_receipt.ReceiptLine,
    goods_receipt.Variance,
    invoice.InvoiceLine,
    invoice.MatchFinding,
    outcome.Outcome,
    supplier.ChannelId,
    TolerancePolicy,
)


def register_values(transcoder: JSONTranscoder) -> None:
    """Teach a transcoder the hub's stored values: dates, and every value object in an event.
    (The library adds its own, UUID, Decimal and datetime, when the application builds it.)"""
    transcoder.register(DateAsISO())
    for value_type in VALUE_TYPES:
        transcoder.register(ValueTranscoding(value_type))


_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATACLASS  # value objects go through their registered transcodings
    | orjson.OPT_PASSTHROUGH_DATETIME  # as do datetimes and dates, to keep the library's format
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


# A command's provenance is written twice, in its event and in its idempotency record, as the
# same object: the second time its JSON object is found by identity (never by equality: equal
# datetimes in other time zones are written differently). At most this many are kept, more
# than a bulk import batch has commands; then the memory starts afresh.
_REMEMBERED = Provenance
_REMEMBER_AT_MOST = 1024


def _datetime_iso(value: datetime) -> dict[str, Any]:
    """What the library's DatetimeAsISO gives (every event's timestamp), formatted faster."""
    return {"_type_": DatetimeAsISO.name, "_data_": isoformat(value)}


def _remembering(encode: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """`encode` answering an object it has just encoded with the same JSON object (which orjson
    only reads). Value objects are immutable, so that object is what `encode` would give."""
    remembered: dict[int, tuple[Any, dict[str, Any]]] = {}

    def encode_remembered(obj: Any) -> dict[str, Any]:
        entry = remembered.get(id(obj))
        if entry is not None and entry[0] is obj:  # (the entry keeps obj alive: ids stay unique)
            return entry[1]
        encoded = encode(obj)
        if len(remembered) >= _REMEMBER_AT_MOST:
            remembered.clear()
        remembered[id(obj)] = (obj, encoded)
        return encoded

    return encode_remembered


class OrjsonTranscoder(JSONTranscoder):
    """Writes exactly the bytes the library's JSONTranscoder writes, about twice as fast, and
    reads them back to exactly the values its decoder gives.

    Encoding every event is a third of a bulk import's time, most of it calling back into
    Python for each value object: orjson calls the same transcodings, a value object's whole
    JSON object built by one generated function (`ValueTranscoding.encode_typed`), and a
    command's provenance, written in two events, is built once. Reading parses with orjson,
    then revives the `{"_type_", "_data_"}` objects bottom-up through the same transcodings,
    as the library's object hook would, but without a Python call for every other JSON
    object. `tests/storage/test_event_codec.py` checks both directions for every event class.
    """

    def __init__(self) -> None:
        super().__init__()
        self._typed: dict[type, Callable[[Any], dict[str, Any]]] = {}
        register_values(self)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._typed.pop(transcoding.type, None)
        if isinstance(transcoding, ValueTranscoding):
            encode = transcoding.encode_typed
            self._typed[transcoding.type] = (
                _remembering(encode) if transcoding.type is _REMEMBERED else encode
            )
        elif type(transcoding) is DatetimeAsISO:
            self._typed[datetime] = _datetime_iso

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self._encode_obj, option=_OPTIONS)

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        """What orjson calls for each value it does not write itself: a value object's whole
        JSON object in one generated function, anything else as the library encodes it."""
        if (encode := self._typed.get(type(o))) is not None:
            return encode(o)
        return super()._encode_obj(o)

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

    def read_field(self, data: bytes, name: str) -> Any:
        """One top-level field of a stored event, exactly as `decode` gives it, without
        reviving the other fields (None when the event has no such field). The relay reads
        each event's provenance so: decoding whole events costs more than publishing them."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            value = super().decode(data)
        else:
            if type(value) is dict and not (len(value) == 2 and "_type_" in value):
                field = value.get(name)
                if type(field) is dict:
                    return self._revive(field)
                if type(field) is list and field:
                    self._revive_items(field)
                return field
            value = self.decode(data)
        return value.get(name) if type(value) is dict else None

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


def read_field(mapper: Mapper[Any], stored: StoredEvent | Notification, name: str) -> Any:
    """One field of a stored event as the application reads it (None if it has none): through
    the transcoder's `read_field` when the state is plain JSON, else (a cipher or compressor
    configured, another transcoder) by decoding the whole event."""
    transcoder = mapper.transcoder
    if isinstance(transcoder, OrjsonTranscoder) and not (mapper.cipher or mapper.compressor):
        return transcoder.read_field(stored.state, name)
    return getattr(mapper.to_domain_event(stored), name, None)
