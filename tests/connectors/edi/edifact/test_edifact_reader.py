"""The EDIFACT reader: UNA and UNB syntax, release character, envelopes and counts, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from edifact_samples import interchange, orders_message

from connectors.edi.edifact.reader import read_interchanges, read_messages
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


def test_an_order_is_read_with_released_characters_and_a_decimal_comma() -> None:
    (message,) = read_messages([interchange().encode()])

    assert (message.type, message.version, message.reference) == ("ORDERS", "D:96A", "1")
    assert message.position == 2
    assert message.segments[3].composite(2) == ("BUYER+CO", "", "92")
    assert message.syntax.decimal == ","
    assert message.syntax.charset == "UNOC"
    assert message.syntax.number(message.segments[5].get(1, 2)) == Decimal("10.5")


def test_without_a_una_the_default_service_characters_apply() -> None:
    (message,) = read_messages([interchange(una="", line_break="").encode()])

    assert message.syntax.component == ":"
    assert message.syntax.release == "?"
    assert message.segments[3].get(2) == "BUYER+CO"


def test_a_una_may_declare_any_service_characters() -> None:
    text = interchange(una="UNA=*.#|~").translate(str.maketrans({"+": "*", ":": "=", "'": "~"}))
    text = text.replace("BUYER?*CO", "BUYER#*CO#~")

    (message,) = read_messages([text.encode()])

    assert message.syntax.repetition == "|"
    assert message.segments[3].composite(2) == ("BUYER*CO~", "", "92")


def test_a_released_release_character_and_terminator_are_data() -> None:
    text = interchange().replace("BUYER?+CO", "50?? OFF?'S")

    (message,) = read_messages([text.encode()])

    assert message.segments[3].get(2) == "50? OFF'S"


def test_groups_and_several_interchanges_in_one_file_are_read() -> None:
    grouped = (
        interchange(reference="IC1")
        .replace("UNH+1", "UNG+ORDERS+BUYERHUB+SUPPLIER+261204:1030+G1+UN+D:96A'\nUNH+1")
        .replace("UNT+8+1'", "UNT+8+1'\nUNE+1+G1'")
    )
    plain = interchange(orders_message("1"), orders_message("2"), reference="IC2", una="")

    interchanges = list(read_interchanges([(grouped + plain).encode()]))

    assert [each.reference for each in interchanges] == ["IC1", "IC2"]
    assert interchanges[0].groups[0].header.get(5) == "G1"
    assert [len(each.messages) for each in interchanges] == [0, 2]
    assert (interchanges[0].una, interchanges[1].una) == (True, False)


@pytest.mark.parametrize(
    ("charset", "encoding", "name"),
    [("UNOC", "latin-1", "Müller"), ("UNOD", "iso8859-2", "Łódź"), ("UNOY", "utf-8", "Łódź €")],
)
def test_values_are_decoded_in_the_character_set_unb_declares(
    charset: str, encoding: str, name: str
) -> None:
    text = interchange(charset=charset).replace("BUYER?+CO", name)

    (message,) = read_messages([text.encode(encoding)])

    assert message.segments[3].get(2) == name


def test_input_split_anywhere_reads_the_same() -> None:
    data = interchange(orders_message("1"), orders_message("2")).encode()
    whole = list(read_messages([data]))

    for size in (1, 2, 5, 9, 10):
        assert list(read_messages([data[i : i + size] for i in range(0, len(data), size)])) == whole


def test_each_message_is_yielded_before_the_rest_of_the_input_is_read() -> None:
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b"UNA:+.? 'UNB+UNOC:3+A+B+261204:1030+IC1'"
        for number in range(1, 10_001):
            pulled.append(number)
            yield "'".join(orders_message(str(number))).encode() + b"'"
        yield b"UNZ+10000+IC1'"

    messages = read_messages(chunks())

    assert next(messages).reference == "1"
    assert len(pulled) <= 2
    assert sum(1 for _ in messages) == 9_999


@pytest.mark.parametrize(
    ("broken", "error", "message"),
    [
        (
            interchange().replace("UNT+8+1", "UNT+7+1"),
            ControlCountError,
            "EDIFACT UNT at segment 9: UNT 0074 is 7 but message '1' has 8 segments",
        ),
        (
            interchange().replace("UNT+8+1", "UNT+8+2"),
            ControlNumberError,
            "EDIFACT UNT at segment 9: UNT 0062 is '2' but UNH 0062 (segment 2) is '1'",
        ),
        (
            interchange().replace("UNZ+1+", "UNZ+2+"),
            ControlCountError,
            "EDIFACT UNZ at segment 10: UNZ 0036 is 2 but interchange 'IC1' has 1 messages",
        ),
        (
            interchange().replace("UNZ+1+IC1", "UNZ+1+IC2"),
            ControlNumberError,
            "EDIFACT UNZ at segment 10: UNZ 0020 is 'IC2' but UNB 0020 is 'IC1'",
        ),
        (
            interchange(reference="18446744073709551616"),
            ElementError,
            "EDIFACT UNB at segment 1: UNB 0020 is 20 characters; the standard allows 1 to 14",
        ),
        (
            interchange().replace("UNT+8+1", "UNT+18446744073709551616+1"),
            ElementError,
            "EDIFACT UNT at segment 9: UNT 0074 is '18446744073709551616'; the standard wants 1 "
            "to 6 digits",
        ),
        (
            interchange().split("UNZ")[0],
            TruncatedInputError,
            "EDIFACT UNZ at segment 10: interchange 'IC1' (UNB at segment 1) has no UNZ",
        ),
        (
            interchange().split("UNZ")[0] + interchange(reference="IC2"),
            EnvelopeError,
            "EDIFACT UNA at segment 10: interchange 'IC1' (UNB at segment 1) has no UNZ before "
            "this UNA",
        ),
        (
            interchange().replace("UNT+8+1'\n", ""),
            EnvelopeError,
            "EDIFACT UNZ at segment 9: message '1' (UNH at segment 2) has no UNT before this UNZ",
        ),
        (
            "UNA:+.",
            TruncatedInputError,
            "EDIFACT UNA: the service string advice ends after 6 of its 9 characters",
        ),
        ("UNA:+.? ", TruncatedInputError, "EDIFACT UNA: the service string advice ends after 8"),
        ("UNA::.? '", DelimiterError, "EDIFACT UNA: the data element separator and the component"),
        ("UNAA+.? '", DelimiterError, "EDIFACT UNA: the component separator 'A' cannot be"),
        (
            interchange(charset="UNOX"),
            CharacterSetError,
            "EDIFACT UNB at segment 1: S001 0001 UNOX (ISO 2022 code extension) is not supported",
        ),
        (
            interchange(charset="XXXX"),
            CharacterSetError,
            "EDIFACT UNB at segment 1: S001 0001 'XXXX' is not a syntax identifier",
        ),
        (
            interchange()[:60],
            TruncatedInputError,
            "EDIFACT at segment 1: the input ended inside a segment: 'UNB+UNOC:3+",
        ),
        ("", TruncatedInputError, "EDIFACT: the input is empty: no UNA or UNB"),
        ("UNH+1+ORDERS:D:96A:UN'", EnvelopeError, "EDIFACT UNH at segment 1: an interchange"),
        (
            interchange().replace("UNZ", "UNE+1+G1'\nUNZ"),
            EnvelopeError,
            "EDIFACT UNE at segment 10: UNE is not allowed here, in the interchange",
        ),
    ],
)
def test_a_broken_interchange_is_refused_naming_segment_position_element_and_rule(
    broken: str, error: type[EdiSyntaxError], message: str
) -> None:
    with pytest.raises(error) as refused:
        list(read_interchanges([broken.encode("latin-1")]))

    assert str(refused.value).startswith(message)


def test_bytes_outside_the_declared_character_set_are_refused_by_position() -> None:
    data = interchange(charset="UNOA").replace("BUYER?+CO", "Müller").encode("utf-8")

    with pytest.raises(
        CharacterSetError, match="EDIFACT NAD at segment 5: byte 0xc3 is outside UNOA"
    ):
        list(read_messages([data]))


def test_without_a_una_level_b_separators_are_recognised_after_unb() -> None:
    text = "\x1c".join(
        [
            "UNB\x1dUNOB\x1f3\x1dA\x1dB\x1d261204\x1f1030\x1dIC1",
            "UNH\x1d1\x1dORDERS\x1fD\x1f96A\x1fUN",
            "BGM\x1d220\x1dPO'77?",
            "UNT\x1d3\x1d1",
            "UNZ\x1d1\x1dIC1",
        ]
    )

    (message,) = read_messages([(text + "\x1c").encode()])

    assert message.segments[1].values() == ["220", "PO'77?"]
    assert message.syntax.release is None
