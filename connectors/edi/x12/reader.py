"""Reading X12: delimiters from each ISA, envelopes and control numbers checked, streamed.

``read_sets`` yields each transaction set as its SE arrives, so a large interchange is never
held whole; the group and interchange trailers are checked when they arrive, so an error
there is raised after the sets before it were yielded.  ``read_interchanges`` yields whole
checked interchanges (use it when a partner's file is small or must be judged whole).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, NoReturn

from connectors.edi.errors import (
    CharacterSetError,
    DelimiterError,
    EnvelopeError,
    Fault,
    Trailer,
    TruncatedInputError,
)
from connectors.edi.reading import BLANKS, check_not_cut, each_interchange, split_elements
from connectors.edi.reading import GroupClosed as _GroupClosed
from connectors.edi.segment import Segment
from connectors.edi.stream import MAX_SEGMENT_BYTES, ByteWindow, Chunk
from connectors.edi.x12.delimiters import Delimiters, check_delimiters
from connectors.edi.x12.envelope import check_isa, control_number, count
from connectors.edi.x12.interchange import FunctionalGroup, Interchange, TransactionSet

X12: Final = "X12"
_ISA_ELEMENTS: Final = 16
_ISA_SEARCH: Final = 256  # a sound ISA is 106 bytes; look no further for its separators


def read_sets(chunks: Iterable[Chunk], encoding: str = "latin-1") -> Iterator[TransactionSet]:
    """Each transaction set of each interchange in the input, in order.

    ``chunks`` are ``bytes`` (decoded with ``encoding``; X12 declares no character set and
    latin-1 keeps every byte) or ``str``.
    """
    for item in _Reader(ByteWindow(chunks), encoding).items():
        if isinstance(item, TransactionSet):
            yield item


def read_sets_and_envelopes(
    chunks: Iterable[Chunk], encoding: str = "latin-1"
) -> Iterator[TransactionSet | Interchange]:
    """Each transaction set as it is read and, once an interchange's IEA has been checked, the
    interchange without its sets (its ISA, the TA1s after it, its IEA): for a reader that
    must not hold the interchange whole."""
    for item in _Reader(ByteWindow(chunks), encoding).items():
        if isinstance(item, TransactionSet):
            yield item
        elif isinstance(item, _InterchangeClosed):
            yield Interchange(item.header, item.acknowledgments, (), item.trailer, item.delimiters)


def read_interchanges(chunks: Iterable[Chunk], encoding: str = "latin-1") -> Iterator[Interchange]:
    """Each interchange in the input, whole, once its IEA has been checked."""
    groups: list[FunctionalGroup] = []
    sets: list[TransactionSet] = []
    for item in _Reader(ByteWindow(chunks), encoding).items():
        if isinstance(item, TransactionSet):
            sets.append(item)
        elif isinstance(item, _GroupClosed):
            groups.append(FunctionalGroup(item.header, tuple(sets), item.trailer))
            sets = []
        else:
            yield Interchange(
                item.header, item.acknowledgments, tuple(groups), item.trailer, item.delimiters
            )
            groups = []


@dataclass(frozen=True, slots=True)
class _InterchangeClosed:
    header: Segment
    acknowledgments: tuple[Segment, ...]
    trailer: Segment
    delimiters: Delimiters


@dataclass(slots=True)
class _Open:
    """The envelopes open at the current segment."""

    isa: Segment
    isa_position: int
    acknowledgments: list[Segment] = field(default_factory=list)
    groups: int = 0
    gs: Segment | None = None
    gs_position: int = 0
    sets: int = 0
    st_segments: list[Segment] | None = None
    st_position: int = 0


class _Reader:
    def __init__(self, window: ByteWindow, encoding: str) -> None:
        self._window = window
        self._encoding = encoding

    def items(self) -> Iterator[TransactionSet | _GroupClosed | _InterchangeClosed]:
        return each_interchange(self._window, X12, "no ISA", self._interchange)

    def _decode(self, raw: bytes, tag: str, position: int) -> str:
        codec = "utf-8" if self._window.text else self._encoding
        try:
            return raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise CharacterSetError(
                X12, tag, position, f"byte {raw[exc.start]:#04x} cannot be read as {codec}"
            ) from None

    def _read_isa(self) -> tuple[Segment, Delimiters]:
        window = self._window
        head = window.peek(4)
        if head[:3] != b"ISA":
            found = window.peek(20).decode("latin-1")
            raise EnvelopeError(X12, "", 1, f"an interchange begins with ISA, not {found!r}")
        if len(head) < 4:
            raise TruncatedInputError(X12, "ISA", 1, "the input ended inside the ISA")
        separator = head[3:4]
        offset = 3
        for number in range(2, _ISA_ELEMENTS + 1):
            offset = window.find(separator, offset + 1)
            if offset < 0 or offset > _ISA_SEARCH:
                if offset < 0 and len(window.peek(_ISA_SEARCH)) < _ISA_SEARCH:
                    raise TruncatedInputError(X12, "ISA", 1, "the input ended inside the ISA")
                raise DelimiterError(
                    X12,
                    "ISA",
                    1,
                    f"ISA{number:02d} is not where the element separator {chr(separator[0])!r} "
                    "(the ISA's 4th character) says: the ISA holds fewer than 16 elements",
                )
        raw = window.peek(offset + 3)
        if len(raw) < offset + 3:
            raise TruncatedInputError(X12, "ISA", 1, "the input ended before ISA16 was closed")
        window.take(offset + 3)
        text = self._decode(raw, "ISA", 1)
        element, component, terminator = text[3], text[offset + 1], text[offset + 2]
        values = text[4:offset].split(element)
        version = values[11]
        repetition = values[10] if version >= "00402" else None
        check_delimiters(element, component, terminator, repetition, "", position=1)
        delimiters = Delimiters(element, component, terminator, repetition)
        isa = Segment("ISA", tuple(((value,),) for value in [*values, component]))
        check_isa(isa, position=1)
        return isa, delimiters

    def _interchange(self) -> Iterator[TransactionSet | _GroupClosed | _InterchangeClosed]:
        isa, delimiters = self._read_isa()
        window = self._window
        skippable = bytes(b for b in BLANKS if chr(b) not in delimiters.characters)
        terminator = delimiters.segment.encode("latin-1")
        opened = _Open(isa, 1)
        position = 1
        while True:
            window.skip(skippable)
            end = window.find(terminator)
            position += 1
            if end >= 0:
                raw = window.take(end + 1)[:-1].lstrip(skippable)
            else:
                raw = self._last_line(opened, position, delimiters)
            segment = self._split(self._decode(raw, "", position), delimiters, position)
            closed = self._accept(opened, segment, position, delimiters)
            if closed is not None:
                yield closed
                if isinstance(closed, _InterchangeClosed):
                    return

    def _last_line(self, opened: _Open, position: int, delimiters: Delimiters) -> bytes:
        """The input ended with no terminator.  Where the terminator is a line break, a
        last line without one is a text file's habit, not a cut-off interchange: read it."""
        rest = self._window.peek(MAX_SEGMENT_BYTES + 1)
        if not (delimiters.segment in "\r\n" and rest.strip() and len(rest) <= MAX_SEGMENT_BYTES):
            self._ended(opened, position)
        return self._window.take(len(rest)).strip()

    def _ended(self, opened: _Open, position: int) -> NoReturn:
        check_not_cut(self._window, X12, position)
        control = opened.isa.get(13)
        raise TruncatedInputError(
            X12,
            "IEA",
            position,
            f"the input ended before the IEA of interchange {control} (ISA at segment 1)",
        )

    @staticmethod
    def _split(text: str, delimiters: Delimiters, position: int) -> Segment:
        parts = text.split(delimiters.element)
        tag = parts[0]
        if not (2 <= len(tag) <= 3 and tag.isalnum() and tag.upper() == tag):
            shown = text[:40]
            raise EnvelopeError(X12, "", position, f"{shown!r} does not begin with a segment tag")
        del parts[0]
        return split_elements(tag, parts, text, delimiters.component, delimiters.repetition)

    def _accept(
        self, opened: _Open, segment: Segment, position: int, delimiters: Delimiters
    ) -> TransactionSet | _GroupClosed | _InterchangeClosed | None:
        tag = segment.tag
        if opened.st_segments is not None:
            if tag in ("ISA", "IEA", "GS", "GE", "ST"):
                raise EnvelopeError(
                    X12,
                    tag,
                    position,
                    f"transaction set {opened.st_segments[0].get(2)} (ST at segment "
                    f"{opened.st_position}) has no SE before this {tag}",
                    fault=Fault.SEGMENT_MISSING,
                    value="SE",
                )
            opened.st_segments.append(segment)
            if tag == "SE":
                return self._close_set(opened, segment, position, delimiters)
            return None
        if opened.gs is not None:
            if tag == "ST":
                opened.st_segments = [segment]
                opened.st_position = position
                control_number(segment, 2, "ST02", position, minimum=4, maximum=9, digits=False)
                return None
            if tag == "GE":
                return self._close_group(opened, segment, position)
            raise EnvelopeError(
                X12,
                tag,
                position,
                f"inside group {opened.gs.get(6)} only ST or GE may follow a set, not {tag}",
            )
        if tag == "GS":
            opened.gs, opened.gs_position, opened.sets = segment, position, 0
            control_number(segment, 6, "GS06", position, minimum=1, maximum=9)
            return None
        if tag == "TA1" and opened.groups == 0:
            opened.acknowledgments.append(segment)
            return None
        if tag == "IEA":
            return self._close_interchange(opened, segment, position, delimiters)
        raise EnvelopeError(
            X12, tag, position, f"after an ISA or GE only GS or IEA may follow, not {tag}"
        )

    @staticmethod
    def _close_set(
        opened: _Open, se: Segment, position: int, delimiters: Delimiters
    ) -> TransactionSet:
        assert opened.st_segments is not None and opened.gs is not None
        segments, opened.st_segments = tuple(opened.st_segments), None
        st = segments[0]
        trailer = Trailer(X12, "SE", position)
        trailer.counts("SE01", count(se, 1, "SE01", position), len(segments),
                       f"the set has {len(segments)} segments")  # fmt: skip
        trailer.refers("SE02", se.get(2), f"ST02 (segment {opened.st_position})", st.get(2))
        opened.sets += 1
        return TransactionSet(opened.isa, opened.gs, segments, delimiters, opened.st_position)

    @staticmethod
    def _close_group(opened: _Open, ge: Segment, position: int) -> _GroupClosed:
        assert opened.gs is not None
        gs, opened.gs = opened.gs, None
        trailer = Trailer(X12, "GE", position)
        trailer.counts("GE01", count(ge, 1, "GE01", position), opened.sets,
                       f"group {gs.get(6)} has {opened.sets} transaction sets")  # fmt: skip
        number = control_number(ge, 2, "GE02", position, minimum=1, maximum=9)
        trailer.refers("GE02", ge.get(2), f"GS06 (segment {opened.gs_position})", gs.get(6),
                       matches=number == int(gs.get(6)))  # fmt: skip
        opened.groups += 1
        return _GroupClosed(gs, ge)

    @staticmethod
    def _close_interchange(
        opened: _Open, iea: Segment, position: int, delimiters: Delimiters
    ) -> _InterchangeClosed:
        trailer = Trailer(X12, "IEA", position)
        trailer.counts("IEA01", count(iea, 1, "IEA01", position), opened.groups,
                       f"the interchange has {opened.groups} functional groups")  # fmt: skip
        control_number(iea, 2, "IEA02", position, minimum=9, maximum=9)
        trailer.refers("IEA02", iea.get(2), "ISA13", opened.isa.get(13))
        return _InterchangeClosed(opened.isa, tuple(opened.acknowledgments), iea, delimiters)
