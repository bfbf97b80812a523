"""Writing X12: segments to bytes with the delimiters a partner asks for.

X12 has no escape character, so a value holding a delimiter cannot be written; it is refused
by name rather than written into a different document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from connectors.edi.errors import UnwritableValueError
from connectors.edi.segment import Segment
from connectors.edi.writing import encoded
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import check_isa


def write(segments: Iterable[Segment], delimiters: Delimiters, encoding: str = "latin-1") -> bytes:
    """The interchange(s) as bytes."""
    return b"".join(encode(segments, delimiters, encoding))


def encode(
    segments: Iterable[Segment], delimiters: Delimiters, encoding: str = "latin-1"
) -> Iterator[bytes]:
    """One ``bytes`` per segment, for writing a large interchange without holding it."""
    end = delimiters.segment + delimiters.line_break
    position = 0
    active = delimiters
    for segment in segments:
        position = 1 if segment.tag == "ISA" else position + 1
        if segment.tag == "ISA":
            # Before ISA12 00402 there is no repetition separator, and ISA11 is a code.
            repeats = segment.get(12) >= "00402"
            active = delimiters if repeats else dataclasses.replace(delimiters, repetition=None)
            text = _isa(segment, delimiters)
        else:
            text = _text(segment, active, position)
        yield encoded(text + end, encoding, "X12", segment.tag, position, encoding)


def _isa(isa: Segment, delimiters: Delimiters) -> str:
    """The ISA with ISA11 and ISA16 saying which delimiters the rest is written with."""
    values = isa.values()
    if len(values) == 16:
        if values[11] >= "00402":
            values[10] = delimiters.repetition or values[10]
        values[15] = delimiters.component
    check_isa(Segment.of("ISA", *values), position=1)
    for number, value in enumerate(values[:15], start=1):
        if number != 11:  # ISA11 is the repetition separator itself from 00402 on
            _check(value, "ISA", number, delimiters, 1)
    return delimiters.element.join(["ISA", *values])


def _text(segment: Segment, delimiters: Delimiters, position: int) -> str:
    parts = [segment.tag]
    for number, element in enumerate(segment.elements, start=1):
        if len(element) > 1 and delimiters.repetition is None:
            raise UnwritableValueError(
                "X12",
                segment.tag,
                position,
                f"{segment.tag}{number:02d} repeats, and ISA12 before 00402 has no repetition "
                "separator",
            )
        repeats = []
        for components in element:
            for value in components:
                _check(value, segment.tag, number, delimiters, position)
            repeats.append(delimiters.component.join(components))
        parts.append((delimiters.repetition or "").join(repeats))
    return delimiters.element.join(parts)


def _check(value: str, tag: str, number: int, delimiters: Delimiters, position: int) -> None:
    for char in delimiters.characters + delimiters.line_break:
        if char in value:
            raise UnwritableValueError(
                "X12",
                tag,
                position,
                f"{tag}{number:02d} holds {char!r}, a delimiter of this interchange, and X12 "
                "has no escape",
                f"{tag}{number:02d}",
            )
