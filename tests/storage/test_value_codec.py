"""Value objects read back from their stored JSON exactly as written, older shapes included."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import MISSING
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import given, settings
from hypothesis import strategies as st
from library_json import WITH_LIBRARY_JSON

from domain.acknowledgement import AckStatus, LineResponse
from domain.application import SupplyHub
from domain.order_line import OrderLine, ScheduleLine
from domain.provenance import Channel, Provenance
from storage.database import IN_MEMORY
from storage.event_codec import VALUE_TYPES
from storage.value_codec import DateAsISO, ValueTranscoding, isoformat

TRANSCODER = SupplyHub(env={**IN_MEMORY, **WITH_LIBRARY_JSON}).mapper.transcoder
AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def stored(value: Any) -> dict[str, Any]:
    """The fields of a value object as its transcoding stores them (before the JSON text)."""
    return {
        name: TRANSCODER.decode(TRANSCODER.encode(field))
        for name, field in ValueTranscoding(type(value)).encode(value).items()
    }


def provenance_fields() -> dict[str, Any]:
    return stored(Provenance("m-1", "c-1", "m-1", "erp", Channel.ERP, AT, "raw/m-1", "T-1"))


class FieldByField(ValueTranscoding):
    """The general decoding every stored shape can take, without the generated fast path:
    the reference the generated decoder must agree with."""

    def decode(self, data: dict[str, Any]) -> Any:
        return self._decode_slowly(data)


REFERENCE = JSONTranscoder()
for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
    REFERENCE.register(transcoding)
for value_type in VALUE_TYPES:
    REFERENCE.register(FieldByField(value_type))


@pytest.mark.parametrize(
    "value_type",
    # The nested ASN order's examples take seconds to draw: in the slow tier (`-m ""`, CI).
    [pytest.param(t, marks=pytest.mark.fuzz) if t.__name__ == "AsnOrder" else t
     for t in VALUE_TYPES],
    ids=lambda t: t.__name__,
)  # fmt: skip
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_value_type_reads_back_as_the_field_by_field_decoding_reads_it(
    value_type: type[Any], data: st.DataObject
) -> None:
    """Also for older shapes: any of the fields that have defaults may be missing."""
    value = data.draw(st.from_type(value_type))
    document = json.loads(TRANSCODER.encode({"value": value}))
    defaulted = [f.name for f in dataclasses.fields(value_type) if f.default is not MISSING]
    for name in data.draw(st.sets(st.sampled_from(defaulted)) if defaulted else st.just(())):
        del document["value"]["_data_"][name]
    stored = json.dumps(document).encode()

    read = TRANSCODER.decode(stored)["value"]

    assert type(read) is value_type
    # repr tells Decimal("1.0") from "1.00", a member from its value, a tuple from a list
    assert repr(read) == repr(REFERENCE.decode(stored)["value"])


@settings(max_examples=300)
@given(
    value=st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones())
    | st.builds(
        lambda d, offset: d.replace(tzinfo=timezone(offset)),
        st.datetimes(),
        st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23)),
    )
)
def test_isoformat_writes_what_the_standard_method_writes(value: datetime) -> None:
    assert isoformat(value) == datetime.isoformat(value)


def test_a_value_read_back_is_built_without_its_init_and_equals_the_constructed_one() -> None:
    line = OrderLine(10, "ITEM-10", Decimal("2.0"), "EA", Decimal("1.50"), date(2026, 12, 1), "P1")
    line = dataclasses.replace(line, schedule=(ScheduleLine(Decimal(1), date(2026, 12, 2)),))

    read = TRANSCODER.decode(TRANSCODER.encode(line))

    assert read == line
    assert vars(read) == vars(line)
    assert type(read.schedule) is tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.item = "changed"  # type: ignore[misc]


def test_an_older_value_lacking_fields_reads_them_as_their_declared_defaults() -> None:
    fields = provenance_fields()
    del fields["payload_ref"], fields["tenant"]

    read = ValueTranscoding(Provenance).decode(fields)

    assert read == Provenance("m-1", "c-1", "m-1", "erp", Channel.ERP, AT)
    assert read.tenant == "" and read.channel is Channel.ERP


def test_none_in_an_optional_field_reads_as_none_and_a_value_as_its_type() -> None:
    transcoding = ValueTranscoding(LineResponse)
    empty = LineResponse(10, AckStatus.ACCEPTED, "IA")
    full = LineResponse(
        20, AckStatus.ACCEPTED_WITH_CHANGES, "IC", Decimal("5"), date(2026, 12, 3), Decimal(1)
    )

    assert repr(transcoding.decode(stored(empty))) == repr(empty)
    assert repr(transcoding.decode(stored(full))) == repr(full)


def test_a_value_no_member_has_fails_as_the_enum_itself_does() -> None:
    fields = {**provenance_fields(), "channel": "fax"}

    with pytest.raises(ValueError) as expected:
        Channel("fax")
    with pytest.raises(ValueError) as raised:
        ValueTranscoding(Provenance).decode(fields)

    assert str(raised.value) == str(expected.value)


def test_an_unhashable_value_for_an_enum_fails_as_the_enum_itself_does() -> None:
    fields = {**provenance_fields(), "channel": ["erp"]}

    with pytest.raises(ValueError) as expected:
        Channel(["erp"])  # type: ignore[arg-type]
    with pytest.raises(ValueError) as raised:
        ValueTranscoding(Provenance).decode(fields)

    assert str(raised.value) == str(expected.value)


def test_a_field_the_class_does_not_have_fails_as_its_constructor_does() -> None:
    fields = {**provenance_fields(), "channel": Channel.ERP, "at": AT, "extra": 1}

    with pytest.raises(TypeError) as expected:
        Provenance(**fields)
    with pytest.raises(TypeError) as raised:
        ValueTranscoding(Provenance).decode({**fields, "channel": "erp", "at": AT.isoformat()})

    assert str(raised.value) == str(expected.value)
