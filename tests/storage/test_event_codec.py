"""The orjson transcoder writes byte for byte what the library's json encoder writes, and reads
any stored event back to exactly what the library's json decoder gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoder
from given import EVENTS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from library_json import WITH_LIBRARY_JSON

from connectors.demo import Scenario
from domain.application import SupplyHub
from domain.provenance import Channel, Provenance
from storage.database import IN_MEMORY, TRANSCODER
from storage.event_codec import read_field

FAST = SupplyHub(env=IN_MEMORY).mapper
REFERENCE = SupplyHub(env={**IN_MEMORY, **WITH_LIBRARY_JSON}).mapper


def read_by(transcoder: Transcoder, stored: bytes) -> str:
    """What a transcoder makes of stored bytes: the repr of the value (which tells Decimal("1.0")
    from "1.00", a member from its value, a tuple from a list) or the error it raises."""
    try:
        return repr(transcoder.decode(stored))
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def test_every_demo_event_encodes_to_the_same_bytes_and_reads_back_the_same() -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
    fast = SupplyHub(env={**env, **TRANSCODER})
    for step in Scenario(seed=3).steps(24):
        fast.handle(step.command, step.provenance)
    reference = SupplyHub(env={**env, **WITH_LIBRARY_JSON}).mapper
    compared = 0

    for notification in fast.recorder.select_notifications(start=1, limit=10_000):
        event = fast.mapper.to_domain_event(notification)
        assert reference.to_stored_event(event).state == notification.state
        assert repr(vars(reference.to_domain_event(notification))) == repr(vars(event))
        compared += 1

    assert compared > 100
    fast.close()


# The nested shipment's examples take seconds to draw: in the slow tier (`-m ""`, CI).
SLOW_EVENTS = ("supplyhub:Shipment.Submitted",)


@pytest.mark.parametrize(
    "event_class",
    [pytest.param(e, marks=pytest.mark.fuzz) if e.TOPIC in SLOW_EVENTS else e for e in EVENTS],
    ids=lambda e: e.TOPIC,
)
# The same examples every run, 12 a class (20 took the nested shipment to 8 s): one drawn at
# random took from 1 to 18 s of the unit tier, which must stay under a minute.
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_every_event_class_encodes_to_the_same_bytes_and_reads_back_the_same(
    event_class: type[Aggregate.Event], data: st.DataObject
) -> None:
    """Every value type travels in some event, with None and empty tuples where allowed."""
    event = data.draw(st.builds(event_class, originator_id=st.uuids()))
    try:
        stored = FAST.to_stored_event(event)
    except orjson.JSONEncodeError:
        assume(False)  # an integer beyond 64 bits: see the test below

    assert REFERENCE.to_stored_event(event).state == stored.state
    read = repr(vars(FAST.to_domain_event(stored)))
    assert read == repr(vars(REFERENCE.to_domain_event(stored)))


def test_an_integer_beyond_64_bits_is_refused_so_it_is_never_read_back_as_a_float() -> None:
    """orjson reads such an integer as a float where json reads an int; it cannot be stored."""
    with pytest.raises(orjson.JSONEncodeError):
        FAST.transcoder.encode({"line_number": 2**64})


def test_a_provenance_written_again_is_the_same_object_not_an_equal_one() -> None:
    """Equal provenances may be written differently: the same instant in two time zones."""
    at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    utc = Provenance("m-1", "c-1", "m-1", "erp", Channel.ERP, at)
    cet = replace(utc, at=at.astimezone(timezone(timedelta(hours=1))))
    assert cet == utc

    for provenance in (utc, cet, utc, cet, replace(utc)):
        written = FAST.transcoder.encode({"provenance": provenance})
        assert written == REFERENCE.transcoder.encode({"provenance": provenance})
    assert b"+01:00" in FAST.transcoder.encode({"provenance": cet})


PROVENANCE = (
    b'{"_type_":"Provenance","_data_":{"message_id":"m-1","correlation_id":"c-1",'
    b'"causation_id":"m-1","actor":"erp","channel":"erp","at":"2026-11-02T08:00:00+00:00"}}'
)
ORDER_LINE_V1 = (
    b'{"_type_":"OrderLine","_data_":{"line_number":10,"item":"I-10","quantity":"2",'
    b'"uom":"EA","unit_price":"1.50","need_by":"2026-12-01","ship_to":"P1"}}'
)
STORED = {
    "an older event, its values lacking fields that have defaults": b'{"number":"4500",'
    b'"lines":[' + ORDER_LINE_V1 + b"],"
    b'"provenance":' + PROVENANCE + b"}",
    "None in optional fields": b'{"responses":[{"_type_":"LineResponse","_data_":'
    b'{"line_number":10,"status":"accepted","source_code":"IA","confirmed_quantity":null,'
    b'"confirmed_date":null,"confirmed_price":"2.5","note":""}}]}',
    "an unknown _type_ name": b'{"a":{"_type_":"Unknown","_data_":{"x":1}}}',
    "an unknown _type_ name in a list": b'{"a":[1,{"_type_":"Unknown","_data_":[]}]}',
    "a _type_ that is not a string": b'{"a":{"_type_":7,"_data_":"x"}}',
    "a _type_ that cannot be a key": b'{"a":{"_type_":["date_iso"],"_data_":"2026-01-01"}}',
    "a _type_ that is itself a typed value": b'{"_type_":{"_type_":"date_iso","_data_":'
    b'"2026-01-01"},"_data_":"x"}',
    "_type_ with a third key, left alone": b'{"_type_":"date_iso","_data_":"2026-01-01","b":'
    + PROVENANCE
    + b"}",
    "_type_ without _data_, left alone": b'{"x":{"_type_":"date_iso","_daat_":"2026-01-01"}}',
    "_data_ that is itself a typed value": b'{"_type_":"decimal_str","_data_":'
    b'{"_type_":"decimal_str","_data_":"1.0"}}',
    "a typed value where a value object has a plain field": b'{"_type_":"LineQuantity",'
    b'"_data_":{"line_number":{"_type_":"decimal_str","_data_":"10"},"quantity":"1"}}',
    "a list as _data_, read before its owner": b'{"_type_":"Unknown","_data_":'
    b'[{"_type_":"AlsoUnknown","_data_":1}]}',
    "nested lists": b'[[[{"_type_":"date_iso","_data_":"2026-01-01"}]],[],{}]',
    "a bare typed value": b'{"_type_":"datetime_iso","_data_":"2026-11-02T08:00:00"}',
    "scalars at the top": b'"text"',
    "a bad value for a typed value": b'{"_type_":"date_iso","_data_":"2026-13-01"}',
    "a value no member has": b'{"_type_":"Provenance","_data_":{"message_id":"m-1",'
    b'"correlation_id":"c-1","causation_id":"m-1","actor":"erp","channel":"fax",'
    b'"at":"2026-11-02T08:00:00+00:00","payload_ref":"","tenant":""}}',
    "NaN and Infinity, which only json reads": b'{"a":NaN,"b":-Infinity,"c":1e400}',
    "bytes that are not UTF-8": b'{"a":"\xff"}',
    "a raw control character in a string": b'{"a":"\t"}',
    "a lone surrogate": b'{"a":"\\ud800"}',
    "duplicate keys": b'{"_type_":"x","_type_":"date_iso","_data_":"2026-01-01"}',
    "not JSON": b'{"a":',
}


@pytest.mark.parametrize("stored", STORED.values(), ids=STORED.keys())
def test_any_stored_json_reads_as_the_library_reads_it_errors_included(stored: bytes) -> None:
    assert read_by(FAST.transcoder, stored) == read_by(REFERENCE.transcoder, stored)


def test_an_older_value_reads_its_missing_fields_as_their_defaults() -> None:
    event = FAST.transcoder.decode(
        STORED["an older event, its values lacking fields that have defaults"]
    )

    assert event["lines"][0].schedule == ()
    assert event["provenance"].tenant == ""


def _keys_reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _keys_reversed(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_keys_reversed(item) for item in value]
    return value


def test_one_field_reads_as_decoding_the_whole_event_gives_it_in_any_field_order() -> None:
    hub = SupplyHub(env=IN_MEMORY)
    for step in Scenario(seed=5).steps(12):
        hub.handle(step.command, step.provenance)
    read = 0

    for notification in hub.recorder.select_notifications(start=1, limit=10_000):
        event = hub.mapper.to_domain_event(notification)
        reordered = orjson.dumps(_keys_reversed(orjson.loads(notification.state)))
        assert read_field(hub.mapper, notification, "provenance") == event.provenance
        assert hub.mapper.transcoder.read_field(reordered, "provenance") == event.provenance
        assert read_field(hub.mapper, notification, "no_such_field") is None
        read += 1

    assert read > 30
    hub.close()
