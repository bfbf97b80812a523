"""What the X12 and EDIFACT readers share: the walk over interchanges, a segment's elements,
the end of the input, and the record of a closed group.

The envelopes differ (ISA/GS/ST against UNA/UNB/UNG/UNH) and stay in each standard's reader;
these parts are the same logic in both, so they are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, TypeVar

from connectors.edi.errors import DelimiterError, EdiSyntaxError, TruncatedInputError
from connectors.edi.segment import Element, Segment
from connectors.edi.stream import MAX_SEGMENT_BYTES, ByteWindow

BLANKS: Final = b" \t\r\n"

_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class GroupClosed:
    """A functional group (GS..GE) or group (UNG..UNE) whose trailer has been checked."""

    header: Segment
    trailer: Segment


def each_interchange(
    window: ByteWindow, standard: str, empty: str, interchange: Callable[[], Iterator[_Item]]
) -> Iterator[_Item]:
    """The items of every interchange in the input; ``empty`` says what an empty input lacks."""
    window.skip_bom()
    window.skip(BLANKS)
    if window.at_end():
        raise TruncatedInputError(standard, "", None, f"the input is empty: {empty}")
    ordinal = 1
    while True:
        try:
            yield from interchange()
        except EdiSyntaxError as error:
            error.interchange = ordinal
            raise
        ordinal += 1
        window.skip(BLANKS)
        if window.at_end():
            return


def split_elements(
    tag: str, parts: list[str], text: str, component: str, repetition: str | None
) -> Segment:
    """A segment from its tag and its elements' texts, split into repetitions and components."""
    if component not in text and (repetition is None or repetition not in text):
        # Most segments: simple, unrepeated elements (a comprehension is the fast way).
        return Segment(tag, tuple([((part,),) for part in parts]))
    elements: list[Element] = []
    for part in parts:
        repeats = part.split(repetition) if repetition and repetition in part else (part,)
        elements.append(
            tuple(
                tuple(each.split(component)) if component in each else (each,) for each in repeats
            )
        )
    return Segment(tag, tuple(elements))


def check_not_cut(window: ByteWindow, standard: str, position: int) -> None:
    """The input ended with no terminator: refuse an endless segment or one cut off."""
    rest = window.peek(MAX_SEGMENT_BYTES + 1)
    if len(rest) > MAX_SEGMENT_BYTES:
        raise DelimiterError(
            standard, "", position, f"no segment terminator within {MAX_SEGMENT_BYTES} bytes"
        )
    if rest.strip():
        shown = rest[:40].decode("latin-1")
        raise TruncatedInputError(
            standard, "", position, f"the input ended inside a segment: {shown!r}"
        )
