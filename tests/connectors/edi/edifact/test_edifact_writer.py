"""The EDIFACT writer: the reader's inverse, escaping with the release character."""

from __future__ import annotations

import pytest
from edifact_samples import interchange, orders_message
from hypothesis import given
from hypothesis import strategies as st

from connectors.edi.edifact.reader import read_interchanges
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.edifact.writer import write
from connectors.edi.errors import DelimiterError, UnwritableValueError
from connectors.edi.segment import Segment

_SERVICE = ":+?'*=~#|!"
_DATA = st.text(st.sampled_from("ABC xyz 019.,-/ÄéŁ€" + _SERVICE), max_size=10)


@st.composite
def syntaxes(draw: st.DrawFn) -> Syntax:
    component, element, release, terminator, repetition = draw(
        st.permutations(list(_SERVICE)).map(lambda chars: chars[:5])
    )
    return Syntax(
        component=component,
        element=element,
        decimal=draw(st.sampled_from(".,")),
        release=release,
        repetition=draw(st.sampled_from([None, repetition])),
        segment=terminator,
        charset="UNOY",
        line_break=draw(st.sampled_from(["", "\n", "\r\n"])),
    )


@given(
    syntaxes(),
    st.lists(st.lists(st.lists(_DATA, min_size=1, max_size=3), min_size=1, max_size=4), max_size=5),
)
def test_parse_write_parse_gives_the_same_segments_whatever_the_service_characters(
    syntax: Syntax, bodies: list[list[list[str]]]
) -> None:
    (original,) = read_interchanges([interchange(charset="UNOY").encode()])
    segments = list(original.segments())
    extra = [Segment("FTX", tuple((tuple(components),) for components in body)) for body in bodies]
    message = [*segments[1:-2], *extra]
    message.append(Segment.of("UNT", str(len(message) + 1), "1"))
    segments = [segments[0], *message, segments[-1]]

    written = write(segments, syntax)
    (again,) = read_interchanges([written])

    assert list(again.segments()) == segments
    assert again.syntax.release == syntax.release
    assert write(again.segments(), syntax) == written


def test_service_characters_in_data_are_released() -> None:
    (original,) = read_interchanges([interchange().encode()])

    written = write(original.segments(), Syntax())

    assert b"NAD+BY+BUYER?+CO::92'" in written
    assert written.startswith(b"UNA:+.? 'UNB+UNOC:3+")


def test_the_character_set_unb_declares_is_the_one_written() -> None:
    (original,) = read_interchanges(
        [interchange(charset="UNOD").replace("BUYER?+CO", "Łódź").encode("iso8859-2")]
    )

    written = write(original.segments(), Syntax(charset="UNOD"))

    assert "NAD+BY+Łódź::92'".encode("iso8859-2") in written


def test_a_character_the_declared_set_cannot_carry_is_refused_not_replaced() -> None:
    (original,) = read_interchanges(
        [interchange(charset="UNOY").replace("BUYER?+CO", "Łódź").encode()]
    )
    segments = list(original.segments())
    segments[0] = Segment.of("UNB", ["UNOC", "3"], *[e[0] for e in segments[0].elements[1:]])

    with pytest.raises(
        UnwritableValueError, match="EDIFACT NAD at segment 5: 'Ł' cannot be written in UNOC"
    ):
        write(segments, Syntax())


def test_level_a_refuses_lower_case_rather_than_folding_it() -> None:
    (original,) = read_interchanges([interchange(charset="UNOA").encode()])
    segments = list(original.segments())
    segments[4] = Segment.of("NAD", "BY", ["Buyer", "", "92"])

    with pytest.raises(
        UnwritableValueError, match="EDIFACT NAD at segment 5: 'uyer' is outside UNOA"
    ):
        write(segments, Syntax(charset="UNOA"))


def test_without_a_release_character_a_service_character_in_data_is_refused() -> None:
    (original,) = read_interchanges([interchange().encode()])

    with pytest.raises(
        UnwritableValueError, match="EDIFACT NAD at segment 5: element 2 holds a service"
    ):
        write(original.segments(), Syntax(release=None))


def test_service_characters_other_than_the_default_need_a_una() -> None:
    (original,) = read_interchanges([interchange(orders_message()).encode()])

    with pytest.raises(UnwritableValueError, match="need a UNA"):
        write(original.segments(), Syntax(segment="~"), una=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"component": "+"}, "the data element separator and the component separator are both"),
        ({"decimal": ";"}, "the decimal mark is ';', not . or ,"),
        ({"segment": "A"}, "the segment terminator 'A' cannot be a service character"),
        ({"line_break": "\n'"}, "a line break is CR and LF only"),
    ],
)
def test_service_characters_that_cannot_work_are_refused(
    kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(DelimiterError, match=message):
        Syntax(**kwargs)  # type: ignore[arg-type]
