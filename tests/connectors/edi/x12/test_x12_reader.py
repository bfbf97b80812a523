"""The X12 reader: delimiters from each ISA, envelopes and control numbers checked, streamed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from x12_samples import interchange, isa, purchase_order_set

from connectors.edi.errors import (
    CharacterSetError,
    ControlCountError,
    ControlNumberError,
    DelimiterError,
    EdiSyntaxError,
    ElementError,
    EnvelopeError,
    TruncatedInputError,
)
from connectors.edi.x12.reader import read_interchanges, read_sets


def test_a_purchase_order_is_read_with_its_envelope_and_elements() -> None:
    (transaction_set,) = read_sets([interchange().encode()])

    assert transaction_set.code == "850"
    assert transaction_set.control == "0001"
    assert transaction_set.version == "004010"
    assert transaction_set.position == 3
    assert transaction_set.segments[1].get(3) == "PO-77"
    assert transaction_set.segments[2].get(7) == "ITEM-1"
    assert transaction_set.group.get(6) == "7"


def test_delimiters_come_from_the_isa_whatever_they_are() -> None:
    text = interchange(terminator="\x15", line_break="\r\n").replace("*", "\x7f")

    (transaction_set,) = read_sets([text.encode("latin-1")])

    assert transaction_set.delimiters.element == "\x7f"
    assert transaction_set.delimiters.segment == "\x15"
    assert transaction_set.segments[1].get(3) == "PO-77"


def test_components_and_repetitions_are_split_by_isa16_and_isa11_in_5010() -> None:
    text = isa(version="00501", repetition="^") + "\n".join(
        [
            "GS*PO*BUYERHUB*SUPPLIER*20261204*1030*7*X*005010~",
            "ST*850*0001~",
            "BEG*00*SA*PO-77**20261204~",
            "REF*ZZ*A>B^C>D~",
            "SE*4*0001~",
            "GE*1*7~",
            "IEA*1*000000101~",
        ]
    )

    (transaction_set,) = read_sets([text.encode()])

    reference = transaction_set.segments[2]
    assert reference.elements[1] == (("A", "B"), ("C", "D"))
    assert transaction_set.delimiters.repetition == "^"


def test_several_interchanges_groups_and_sets_in_one_file_are_all_read() -> None:
    first = interchange(purchase_order_set("0001"), purchase_order_set("0002"), control="000000001")
    second = interchange(purchase_order_set("0003"), control="000000002", group="8")

    interchanges = list(read_interchanges([(first + "\r\n" + second).encode()]))

    assert [each.control for each in interchanges] == ["000000001", "000000002"]
    assert [len(each.groups[0].sets) for each in interchanges] == [2, 1]


def test_input_split_anywhere_reads_the_same() -> None:
    data = interchange(purchase_order_set("0001"), purchase_order_set("0002")).encode()
    whole = list(read_sets([data]))

    for size in (1, 3, 7, 106, 107):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert list(read_sets(chunks)) == whole


def test_each_set_is_yielded_before_the_rest_of_the_input_is_read() -> None:
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        head = isa() + "GS*PO*BUYERHUB*SUPPLIER*20261204*1030*7*X*004010~"
        yield head.encode()
        for number in range(1, 10_001):
            pulled.append(number)
            yield "~".join(purchase_order_set(f"{number:04d}")).encode() + b"~"
        yield b"GE*10000*7~IEA*1*000000101~"

    sets = read_sets(chunks())
    first = next(sets)

    assert first.control == "0001"
    assert len(pulled) <= 2
    assert sum(1 for _ in sets) == 9_999


def test_str_chunks_are_read_as_text() -> None:
    (transaction_set,) = read_sets([interchange().replace("PO-77", "PO-Ü7")])

    assert transaction_set.segments[1].get(3) == "PO-Ü7"


def test_a_missing_final_line_break_is_tolerated_when_the_terminator_is_a_line_break() -> None:
    text = interchange(terminator="\n", line_break="").rstrip("\n")

    (each,) = read_interchanges([text.encode()])

    assert each.trailer.get(2) == "000000101"


@pytest.mark.parametrize(
    ("broken", "error", "message"),
    [
        (
            interchange().replace("SE*8*0001", "SE*7*0001"),
            ControlCountError,
            "X12 SE at segment 10: SE01 is 7 but the set has 8 segments",
        ),
        (
            interchange().replace("SE*8*0001", "SE*8*0002"),
            ControlNumberError,
            "X12 SE at segment 10: SE02 is '0002' but ST02 (segment 3) is '0001'",
        ),
        (
            interchange().replace("GE*1*7", "GE*2*7"),
            ControlCountError,
            "X12 GE at segment 11: GE01 is 2 but group 7 has 1 transaction sets",
        ),
        (
            interchange().replace("GE*1*7", "GE*1*8"),
            ControlNumberError,
            "X12 GE at segment 11: GE02 is '8' but GS06 (segment 2) is '7'",
        ),
        (
            interchange().replace("IEA*1*", "IEA*2*"),
            ControlCountError,
            "X12 IEA at segment 12: IEA01 is 2 but the interchange has 1 functional groups",
        ),
        (
            interchange().replace("IEA*1*000000101", "IEA*1*000000102"),
            ControlNumberError,
            "X12 IEA at segment 12: IEA02 is '000000102' but ISA13 is '000000101'",
        ),
        (
            interchange().replace("ST*850*0001", "ST*850*18446744073709551616"),
            ElementError,
            "X12 ST at segment 3: ST02 is 20 characters; the standard allows 4 to 9",
        ),
        (
            interchange(group="18446744073709551616"),
            ElementError,
            "X12 GS at segment 2: GS06 is 20 characters; the standard allows 1 to 9",
        ),
        (
            interchange().replace("SE*8*0001", "SE*18446744073709551616*0001"),
            ElementError,
            "X12 SE at segment 10: SE01 is 20 characters; the standard allows 1 to 10",
        ),
        (
            interchange().replace("GE*1*7~\n", ""),
            EnvelopeError,
            "X12 IEA at segment 11: inside group 7 only ST or GE may follow a set, not IEA",
        ),
        (
            interchange().replace("SE*8*0001~\n", ""),
            EnvelopeError,
            "X12 GE at segment 10: transaction set 0001 (ST at segment 3) has no SE before this GE",
        ),
        (
            interchange().replace("BUYERHUB       ", "BUYERHUB"),
            ElementError,
            "X12 ISA at segment 1: ISA06 is 8 characters; the standard fixes it at 15",
        ),
        (
            isa(component="*") + "GS",
            DelimiterError,
            "X12 ISA at segment 1: the component separator (ISA16) and the element separator "
            "are both '*'",
        ),
        (
            isa(component="A"),
            DelimiterError,
            "X12 ISA at segment 1: the component separator (ISA16) 'A' is a character data may "
            "hold",
        ),
        (
            "ISA*00*" + "x" * 300,
            DelimiterError,
            "X12 ISA at segment 1: ISA03 is not where the element separator '*'",
        ),
        (
            interchange()[:200],
            TruncatedInputError,
            "X12 at segment 5: the input ended inside a segment: 'PO1'",
        ),
        (
            interchange().split("IEA")[0],
            TruncatedInputError,
            "X12 IEA at segment 12: the input ended before the IEA of interchange 000000101",
        ),
        (isa()[:50], TruncatedInputError, "X12 ISA at segment 1: the input ended inside the ISA"),
        ("", TruncatedInputError, "X12: the input is empty: no ISA"),
        ("UNB+UNOC:3", EnvelopeError, "X12 at segment 1: an interchange begins with ISA"),
        (
            interchange().replace("BEG", "B G"),
            EnvelopeError,
            "X12 at segment 4: 'B G*00*SA*PO-77**20261204' does not begin with a segment tag",
        ),
        (
            interchange() + "garbage~",
            EnvelopeError,
            "X12 at segment 1: an interchange begins with ISA, not 'garbage~'",
        ),
    ],
)
def test_a_broken_interchange_is_refused_naming_segment_position_element_and_rule(
    broken: str, error: type[EdiSyntaxError], message: str
) -> None:
    with pytest.raises(error) as refused:
        list(read_interchanges([broken.encode()]))

    assert str(refused.value).startswith(message)


def test_bytes_the_caller_says_are_not_in_the_encoding_are_refused_by_position() -> None:
    data = interchange().replace("PO-77", "PO-\u00e97").encode("latin-1")

    with pytest.raises(CharacterSetError, match="X12 at segment 4: byte 0xe9 cannot be read as"):
        list(read_sets([data], encoding="ascii"))


def test_a_refusal_after_a_good_set_comes_after_that_set_was_yielded() -> None:
    data = interchange().replace("GE*1*7", "GE*1*8").encode()
    sets = read_sets([data])

    assert next(sets).control == "0001"
    with pytest.raises(ControlNumberError):
        next(sets)


def test_input_without_any_terminator_is_refused_rather_than_held_whole() -> None:
    data = isa().encode() + b"GS*PO" + b"x" * (2 << 20)

    with pytest.raises(DelimiterError, match="X12 at segment 2: no segment terminator within"):
        list(read_sets([data[i : i + 65536] for i in range(0, len(data), 65536)]))


def test_bytes_and_str_chunks_cannot_be_mixed() -> None:
    text = interchange()

    with pytest.raises(TypeError, match="all bytes or all str"):
        list(read_sets([text[:120].encode(), text[120:]]))
