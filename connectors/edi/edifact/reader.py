"""Reading EDIFACT: UNA and UNB syntax, release character, envelopes and counts, streamed.

``read_messages`` yields each message as its UNT arrives; group and interchange trailers are
checked when they arrive, after the messages before them were yielded.  ``read_interchanges``
yields whole checked interchanges.  Segments are found in the bytes (service characters are
ASCII in every supported character set) and decoded with the UNB's character set.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, NoReturn

from connectors.edi.edifact.interchange import Group, Interchange, Message
from connectors.edi.edifact.syntax import LEVEL_B, Syntax, codec
from connectors.edi.errors import (
    CharacterSetError,
    DelimiterError,
    ElementError,
    EnvelopeError,
    Fault,
    Trailer,
    TruncatedInputError,
)
from connectors.edi.reading import BLANKS, check_not_cut, each_interchange, split_elements
from connectors.edi.reading import GroupClosed as _GroupClosed
from connectors.edi.segment import Element, Segment
from connectors.edi.stream import ByteWindow, Chunk

EDIFACT: Final = "EDIFACT"
_UNA_LENGTH: Final = 9


def read_messages(chunks: Iterable[Chunk]) -> Iterator[Message]:
    """Each message of each interchange in the input, in order (``bytes`` or ``str`` chunks)."""
    for item in _Reader(ByteWindow(chunks)).items():
        if isinstance(item, Message):
            yield item


def read_interchanges(chunks: Iterable[Chunk]) -> Iterator[Interchange]:
    """Each interchange in the input, whole, once its UNZ has been checked."""
    groups: list[Group] = []
    messages: list[Message] = []
    for item in _Reader(ByteWindow(chunks)).items():
        if isinstance(item, Message):
            messages.append(item)
        elif isinstance(item, _GroupClosed):
            groups.append(Group(item.header, tuple(messages), item.trailer))
            messages = []
        else:
            yield Interchange(
                item.una, item.header, tuple(groups), tuple(messages), item.trailer, item.syntax
            )
            groups, messages = [], []


@dataclass(frozen=True, slots=True)
class _InterchangeClosed:
    una: bool
    header: Segment
    trailer: Segment
    syntax: Syntax


@dataclass(slots=True)
class _Open:
    unb: Segment
    syntax: Syntax
    groups: int = 0
    messages: int = 0  # directly in the interchange
    ung: Segment | None = None
    ung_position: int = 0
    in_group: int = 0
    unh: list[Segment] | None = None
    unh_position: int = 0


class _Reader:
    def __init__(self, window: ByteWindow) -> None:
        self._window = window

    def items(self) -> Iterator[Message | _GroupClosed | _InterchangeClosed]:
        return each_interchange(self._window, EDIFACT, "no UNA or UNB", self._interchange)

    def _service_string(self) -> tuple[Syntax, bool]:
        window = self._window
        if window.peek(3) != b"UNA":
            if window.peek(4) == b"UNB\x1d":
                return LEVEL_B, False
            return Syntax(), False
        una = window.peek(_UNA_LENGTH)
        if len(una) < _UNA_LENGTH:
            raise TruncatedInputError(
                EDIFACT,
                "UNA",
                None,
                f"the service string advice ends after {len(una)} of its 9 characters",
            )
        window.take(_UNA_LENGTH)
        try:
            chars = una[3:].decode("ascii")
        except UnicodeDecodeError:
            raise DelimiterError(
                EDIFACT, "UNA", None, "a service character is not a 7-bit character"
            ) from None
        component, element, decimal, release, repetition, terminator = tuple(chars)
        syntax = Syntax(
            component=component,
            element=element,
            decimal=decimal,
            release=None if release == " " else release,
            repetition=None if repetition == " " else repetition,
            segment=terminator,
        )
        return syntax, True

    def _interchange(self) -> Iterator[Message | _GroupClosed | _InterchangeClosed]:
        syntax, una = self._service_string()
        window = self._window
        skippable = bytes(b for b in BLANKS if chr(b) not in syntax.service_characters)
        terminator = syntax.segment.encode("ascii")
        release = syntax.release.encode("ascii") if syntax.release else b""
        opened: _Open | None = None
        position = 0
        while True:
            window.skip(skippable)
            position += 1
            raw = self._next_raw(terminator, release)
            if raw is None:
                self._ended(opened, position)
            raw = raw.lstrip(skippable)
            current = opened.syntax if opened is not None else syntax
            segment = _split(self._decode(raw, current, opened is not None, position), current)
            if segment.tag == "":
                raise EnvelopeError(EDIFACT, "", position, f"{raw[:40]!r} has no segment tag")
            if opened is None:
                opened = self._open(segment, syntax, position)
                continue
            closed = self._accept(opened, segment, position, una)
            if closed is not None:
                yield closed
                if isinstance(closed, _InterchangeClosed):
                    return

    def _next_raw(self, terminator: bytes, release: bytes) -> bytes | None:
        """The next segment's bytes without its terminator; a released terminator is data."""
        window = self._window
        offset = 0
        while True:
            end = window.find(terminator, offset)
            if end < 0:
                return None
            if release:
                before = window.peek(end)
                run = len(before) - len(before.rstrip(release))
                if run % 2:
                    offset = end + 1
                    continue
            return window.take(end + 1)[:-1]

    def _decode(self, raw: bytes, syntax: Syntax, declared: bool, position: int) -> str:
        if self._window.text:
            return raw.decode("utf-8")
        name = codec(syntax.charset, position) if declared else "latin-1"
        try:
            return raw.decode(name)
        except UnicodeDecodeError as exc:
            raise CharacterSetError(
                EDIFACT,
                raw[:3].decode("latin-1"),
                position,
                f"byte {raw[exc.start]:#04x} is outside {syntax.charset}, the character set "
                "UNB S001 declares",
            ) from None

    def _ended(self, opened: _Open | None, position: int) -> NoReturn:
        check_not_cut(self._window, EDIFACT, position)
        if opened is None:
            raise TruncatedInputError(EDIFACT, "UNB", position, "the input ended before a UNB")
        raise TruncatedInputError(
            EDIFACT,
            "UNZ",
            position,
            f"interchange {opened.unb.get(5)!r} (UNB at segment 1) has no UNZ: the input "
            f"ended after segment {position - 1}",
            "UNZ",
        )

    @staticmethod
    def _open(unb: Segment, syntax: Syntax, position: int) -> _Open:
        if unb.tag != "UNB":
            raise EnvelopeError(
                EDIFACT, unb.tag, position, f"an interchange begins with UNA or UNB, not {unb.tag}"
            )
        charset = unb.get(1, 1)
        codec(charset, position)
        version = unb.get(1, 2) or syntax.version
        _reference(unb, 5, "UNB 0020", position)
        return _Open(unb, dataclasses.replace(syntax, charset=charset, version=version))

    def _accept(
        self, opened: _Open, segment: Segment, position: int, una: bool
    ) -> Message | _GroupClosed | _InterchangeClosed | None:
        tag = segment.tag
        if opened.unh is not None:
            if tag in ("UNA", "UNB", "UNZ", "UNG", "UNE", "UNH"):
                raise EnvelopeError(
                    EDIFACT,
                    tag,
                    position,
                    f"message {opened.unh[0].get(1)!r} (UNH at segment {opened.unh_position}) "
                    f"has no UNT before this {tag}",
                    fault=Fault.SEGMENT_MISSING,
                    value="UNT",
                )
            opened.unh.append(segment)
            return self._close_message(opened, segment, position) if tag == "UNT" else None
        if tag == "UNH":
            if opened.groups and opened.ung is None:
                raise EnvelopeError(
                    EDIFACT, tag, position, "a message outside a group, in an interchange of groups"
                )
            _reference(segment, 1, "UNH 0062", position)
            opened.unh, opened.unh_position = [segment], position
            return None
        if tag == "UNG" and opened.ung is None:
            if opened.messages:
                raise EnvelopeError(
                    EDIFACT, tag, position, "a group in an interchange of ungrouped messages"
                )
            _reference(segment, 5, "UNG 0048", position)
            opened.ung, opened.ung_position, opened.in_group = segment, position, 0
            return None
        if tag == "UNE" and opened.ung is not None:
            return self._close_group(opened, segment, position)
        if tag == "UNZ" and opened.ung is None:
            return self._close_interchange(opened, segment, position, una)
        if tag in ("UNA", "UNB"):
            raise EnvelopeError(
                EDIFACT,
                tag,
                position,
                f"interchange {opened.unb.get(5)!r} (UNB at segment 1) has no UNZ before this "
                f"{tag}",
                "UNZ",
            )
        where = f"group {opened.ung.get(5)!r}" if opened.ung is not None else "the interchange"
        raise EnvelopeError(EDIFACT, tag, position, f"{tag} is not allowed here, in {where}")

    @staticmethod
    def _close_message(opened: _Open, unt: Segment, position: int) -> Message:
        assert opened.unh is not None
        segments, opened.unh = tuple(opened.unh), None
        unh = segments[0]
        trailer = Trailer(EDIFACT, "UNT", position)
        trailer.counts("0074", _count(unt, 1, "UNT 0074", position), len(segments),
                       f"message {unh.get(1)!r} has {len(segments)} segments")  # fmt: skip
        trailer.refers("0062", unt.get(2), f"UNH 0062 (segment {opened.unh_position})",
                       unh.get(1))  # fmt: skip
        if opened.ung is not None:
            opened.in_group += 1
        else:
            opened.messages += 1
        return Message(opened.unb, opened.ung, segments, opened.syntax, opened.unh_position)

    @staticmethod
    def _close_group(opened: _Open, une: Segment, position: int) -> _GroupClosed:
        assert opened.ung is not None
        ung, opened.ung = opened.ung, None
        trailer = Trailer(EDIFACT, "UNE", position)
        trailer.counts("0060", _count(une, 1, "UNE 0060", position), opened.in_group,
                       f"group {ung.get(5)!r} has {opened.in_group} messages")  # fmt: skip
        trailer.refers("0048", une.get(2), f"UNG 0048 (segment {opened.ung_position})",
                       ung.get(5))  # fmt: skip
        opened.groups += 1
        return _GroupClosed(ung, une)

    @staticmethod
    def _close_interchange(
        opened: _Open, unz: Segment, position: int, una: bool
    ) -> _InterchangeClosed:
        actual, kind = (opened.groups, "groups") if opened.groups else (opened.messages, "messages")
        trailer = Trailer(EDIFACT, "UNZ", position)
        trailer.counts("0036", _count(unz, 1, "UNZ 0036", position), actual,
                       f"interchange {opened.unb.get(5)!r} has {actual} {kind}")  # fmt: skip
        trailer.refers("0020", unz.get(2), "UNB 0020", opened.unb.get(5))
        return _InterchangeClosed(una, opened.unb, unz, opened.syntax)


def _reference(segment: Segment, index: int, name: str, position: int) -> str:
    """A control reference: an..14, present (a 2^64 number is 20 digits: refused)."""
    value = segment.get(index)
    if not 1 <= len(value) <= 14:
        raise ElementError(
            EDIFACT,
            segment.tag,
            position,
            f"{name} is {len(value)} characters; the standard allows 1 to 14",
            name.split()[-1],
        )
    return value


def _count(segment: Segment, index: int, name: str, position: int) -> int:
    """A trailer count: n..6."""
    value = segment.get(index)
    if not (1 <= len(value) <= 6 and value.isdigit() and value.isascii()):
        raise ElementError(
            EDIFACT,
            segment.tag,
            position,
            f"{name} is {value!r}; the standard wants 1 to 6 digits",
            name.split()[-1],
        )
    return int(value)


def _split(text: str, syntax: Syntax) -> Segment:
    """Elements, repetitions and components, with released characters taken as data."""
    release = syntax.release
    if release is None or release not in text:
        parts = text.split(syntax.element)
        return split_elements(_tag(parts[0]), parts[1:], text, syntax.component, syntax.repetition)
    return _split_released(text, syntax, release)


def _split_released(text: str, syntax: Syntax, release: str) -> Segment:
    token, unrelease = _patterns(
        release, syntax.component, syntax.element, syntax.repetition or syntax.element
    )
    built: list[Element] = []
    repeats: list[tuple[str, ...]] = []
    components: list[str] = []
    position, length = 0, len(text)
    while True:
        match = token.match(text, position)
        assert match is not None  # the pattern matches the empty string
        value, separator = match.group(1), match.group(2)
        components.append(unrelease.sub(r"\1", value) if release in value else value)
        if separator != syntax.component:
            repeats.append(tuple(components))
            components = []
            if separator != syntax.repetition:
                built.append(tuple(repeats))
                repeats = []
        position = match.end()
        if position >= length and not separator:
            break
    return Segment(_tag(built[0][0][0]), tuple(built[1:]))


@functools.lru_cache(maxsize=64)
def _patterns(
    release: str, component: str, element: str, repetition: str
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A value (released characters included) and the separator after it; and the pattern
    that takes the release characters out of a value."""
    r = re.escape(release)
    separators = "".join(re.escape(char) for char in {component, element, repetition})
    token = re.compile(f"((?:[^{r}{separators}]|{r}.)*)([{separators}]|$)", re.DOTALL)
    return token, re.compile(f"{r}(.)", re.DOTALL)


def _tag(text: str) -> str:
    """A segment tag is three upper-case letters or digits; anything else is not a tag."""
    return text if len(text) == 3 and text.isalnum() and text.isupper() else ""
