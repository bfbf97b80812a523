"""The X12 writer: the reader's inverse, with the delimiters a partner asks for."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from x12_samples import interchange, purchase_order_set

from connectors.edi.errors import DelimiterError, UnwritableValueError
from connectors.edi.segment import Segment
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.reader import read_interchanges
from connectors.edi.x12.writer import write

_PUNCTUATION = "*>~^|!\x7f\x15:`"
_DATA = st.text(st.sampled_from("ABCXYZ0129 .-/#é" + _PUNCTUATION), max_size=8)


@st.composite
def delimiter_sets(draw: st.DrawFn) -> Delimiters:
    element, component, segment, repetition = draw(
        st.permutations(list(_PUNCTUATION)).map(lambda chars: chars[:4])
    )
    line_break = draw(st.sampled_from(["", "\n", "\r\n"]))
    return Delimiters(element, component, segment, repetition, line_break)


def _without(value: str, delimiters: Delimiters) -> str:
    return "".join(char for char in value if char not in delimiters.characters)


@given(delimiter_sets(), st.lists(st.lists(_DATA, min_size=1, max_size=4), max_size=6))
def test_parse_write_parse_gives_the_same_segments_whatever_the_delimiters(
    delimiters: Delimiters, bodies: list[list[str]]
) -> None:
    text = interchange(purchase_order_set("0001"), purchase_order_set("0002"))
    (original,) = read_interchanges([text.encode()])
    extra = [
        Segment(f"Z{number}", tuple(((_without(value, delimiters),),) for value in body))
        for number, body in enumerate(bodies)
    ]
    segments = list(original.segments())
    first_set = segments[2:10]
    first_set[-1:-1] = extra
    first_set[-1] = Segment.of("SE", str(len(first_set)), "0001")
    segments[2:10] = first_set

    written = write(segments, delimiters)
    (again,) = read_interchanges([written])
    rewritten = write(again.segments(), delimiters)

    assert list(again.segments())[1:] == segments[1:]
    assert again.delimiters == Delimiters(
        delimiters.element, delimiters.component, delimiters.segment, None
    )
    assert rewritten == written


def test_a_5010_interchange_keeps_its_repetition_separator_through_a_round_trip() -> None:
    text = interchange().replace("*U*00401*", "*^*00501*").replace("ITEM-1", "A>1^B>2")
    (original,) = read_interchanges([text.encode()])

    written = write(original.segments(), Delimiters("|", ":", "\n", "!"))
    (again,) = read_interchanges([written])

    assert written.startswith(b"ISA|00|")
    assert b"A:1!B:2" in written
    assert list(again.segments())[1:] == list(original.segments())[1:]


def test_a_value_holding_a_delimiter_is_refused_because_x12_cannot_escape_it() -> None:
    (original,) = read_interchanges([interchange().encode()])
    segments = list(original.segments())
    segments[3] = Segment.of("BEG", "00", "SA", "PO*77")

    with pytest.raises(
        UnwritableValueError, match=r"X12 BEG at segment 4: BEG03 holds '\*', a delimiter"
    ):
        write(segments, Delimiters())


def test_a_repeated_element_cannot_be_written_before_version_00402() -> None:
    (original,) = read_interchanges([interchange().encode()])
    segments = list(original.segments())
    segments[3] = Segment("BEG", ((("00",), ("05",)),))

    with pytest.raises(UnwritableValueError, match="BEG01 repeats"):
        write(segments, Delimiters())


def test_a_character_outside_the_encoding_is_refused_by_segment() -> None:
    (original,) = read_interchanges([interchange().encode()])
    segments = list(original.segments())
    segments[3] = Segment.of("BEG", "00", "SA", "PO-\u0141")

    with pytest.raises(UnwritableValueError, match="X12 BEG at segment 4: 'Ł' cannot be written"):
        write(segments, Delimiters(), encoding="latin-1")


@pytest.mark.parametrize(
    ("element", "component", "segment", "message"),
    [
        ("*", "*", "~", "are both '*'"),
        ("A", ">", "~", "the element separator 'A' is a character data may hold"),
        ("*", "", "~", "the component separator (ISA16) must be one character"),
    ],
)
def test_delimiters_that_cannot_work_are_refused(
    element: str, component: str, segment: str, message: str
) -> None:
    with pytest.raises(DelimiterError, match=re.escape(message)):
        Delimiters(element, component, segment)
