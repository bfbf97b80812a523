"""Our functional acknowledgment rejecting an interchange we cannot read: an X12 997 (AK1,
AK2, AK3, AK5, AK9) or an EDIFACT CONTRL (UCI, UCM, UCS), naming where it broke.

Pure: the refused bytes, the refusal (an `EdiSyntaxError`, with its segment position) and the
partner's profile in; the whole interchange out. The refused bytes cannot be read by the
readers (that is why they were refused), so the envelope values the ack must echo (GS01,
GS06, ST01, ST02; UNB 0020, S002, S003, UNH 0062, S009) are taken from a plain split of the
segments up to the error, with the delimiters each header declares: one pass that keeps only
those envelope segments, so a refused file of any size is read again in chunks, never held.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from connectors.edi.edifact import writer as edifact_writer
from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.envelope import enclose as enclose_edifact
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import (
    CharacterSetError,
    ControlCountError,
    ControlNumberError,
    EdiSyntaxError,
    Fault,
)
from connectors.edi.segment import Segment
from connectors.edi.x12 import writer as x12_writer
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope, transaction_set
from connectors.edi.x12.envelope import enclose as enclose_x12
from connectors.gateway.profile import PartnerProfile

# X12 717 (AK502): 2 set trailer missing, 3 set control number mismatch, 4 segment count
# mismatch, 5 segments in error, 7 invalid set control number. X12 720 (AK304): 8 segment has
# data element errors.
_AK5 = {ControlNumberError: "3", ControlCountError: "4"}
# ISO 9735 0085: 28 references do not match, 29 control count does not match, 12 invalid value,
# 13 missing, 21 invalid character(s).
_BLANKS = b"\xef\xbb\xbf \t\r\n"
_UCM = {ControlNumberError: "28", ControlCountError: "29"}


def _set_error(error: EdiSyntaxError) -> str:
    """717 for the set a reader refusal is in: 2 its SE missing, 3 / 4 its SE02 / SE01 wrong,
    7 its ST02 not a control number, else 5 (a segment in error)."""
    if error.fault is Fault.SEGMENT_MISSING and error.value == "SE":
        return "2"
    if error.element == "ST02":
        return "7"
    return next((c for kind, c in _AK5.items() if isinstance(error, kind)), "5")


def _message_error(error: EdiSyntaxError) -> str:
    """0085 for the message a reader refusal is in: 13 its UNT missing, 21 a character
    outside the declared set, 28 / 29 its UNT reference / count wrong, else 12."""
    if error.fault is Fault.SEGMENT_MISSING and error.value == "UNT":
        return "13"
    if isinstance(error, CharacterSetError):
        return "21"
    return next((c for kind, c in _UCM.items() if isinstance(error, kind)), "12")


@dataclass(frozen=True, slots=True)
class Rejection:
    """Our rejecting functional ack, and what it answered."""

    document: bytes
    reference: str  # their interchange control (ISA13 / UNB 0020), "" if unreadable
    code: str  # "997" / "CONTRL"


def rejecting_ack(
    refused: bytes | Iterable[bytes], error: EdiSyntaxError, profile: PartnerProfile,
    control: int, at: datetime,
) -> Rejection:  # fmt: skip
    """``refused``: the input whole, or in chunks (a file too large to hold is read again
    here, up to the error, keeping no more than the envelope segments the ack echoes)."""
    chunks = iter([refused] if isinstance(refused, bytes) else refused)
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head.lstrip(_BLANKS)) >= 3 or len(head) > 4096:
            break
    text = (part.decode("latin-1") for part in chain([head.lstrip(_BLANKS)], chunks))
    if head.lstrip(_BLANKS).startswith(b"ISA"):
        return _x12(_landmarks(_x12_segments(text), ("ISA", "GS", "ST"), error),
                    error, profile, control, at)  # fmt: skip
    return _edifact(_landmarks(_edifact_segments(text), ("UNB", "UNG", "UNH"), error),
                    error, profile, control, at)  # fmt: skip


@dataclass(slots=True)
class _Landmarks:
    """The envelope segments of the interchange in error, as of the segment in error: its
    header, the last group and set headers before it, and the set header's position."""

    header: list[str] | None = None
    group: list[str] | None = None
    document: list[str] | None = None
    document_at: int = 1
    component: str = ":"


def _landmarks(
    segments: Iterator[tuple[list[str], str]], tags: tuple[str, str, str], error: EdiSyntaxError
) -> _Landmarks:
    """One pass over the segments (with each one's component separator), stopping at the
    error: ``error.position`` counts from the header of ``error.interchange``."""
    header_tag, group_tag, document_tag = tags
    found, ordinal, position = _Landmarks(), 0, 0
    for segment, component in segments:
        if segment[0] == header_tag:
            ordinal += 1
            if ordinal > error.interchange:
                break
            found, position = _Landmarks(segment, component=component), 0
        position += 1
        if ordinal < error.interchange:
            continue
        if error.position is not None and position > error.position:
            break
        if segment[0] == group_tag:
            found.group = segment
        elif segment[0] == document_tag:
            found.document, found.document_at = segment, position
    return found


def _x12_segments(text: Iterator[str]) -> Iterator[tuple[list[str], str]]:
    """X12 segments split into elements, each interchange by the delimiters its ISA declares
    (the element separator its 4th character, the component its 105th, the terminator its
    106th)."""
    element, component, terminator = "*", ":", "~"
    buffer, at = "", 0
    for part in chain(text, [""]):
        buffer, at, ending = buffer[at:] + part, 0, not part
        while True:
            at = _BLANK.match(buffer, at).end()  # type: ignore[union-attr]
            if buffer.startswith("ISA", at):
                if len(buffer) - at <= 105 and not ending:
                    break
                element, component, terminator = buffer[at + 3 : at + 4] or "*", buffer[
                    at + 104 : at + 105] or ":", buffer[at + 105 : at + 106] or "~"  # fmt: skip
            end = buffer.find(terminator, at)
            if end < 0 and (not ending or at == len(buffer)):
                break
            end = len(buffer) if end < 0 else end
            raw, at = buffer[at:end].strip(), end + 1
            if raw:
                yield raw.split(element), component


def _edifact_segments(text: Iterator[str]) -> Iterator[tuple[list[str], str]]:
    """EDIFACT segments split into elements, by the delimiters each interchange's UNA gives
    (or the standard's), a released terminator or separator kept inside its segment."""
    syntax = ":+'?"  # component, element, terminator, release
    buffer, at = "", 0
    for part in chain(text, [""]):
        buffer, at, ending = buffer[at:] + part, 0, not part
        while True:
            at = _BLANK.match(buffer, at).end()  # type: ignore[union-attr]
            if buffer.startswith("UNA", at):
                if len(buffer) - at < 9 and not ending:
                    break
                una = buffer[at : at + 9].ljust(9)
                syntax, at = una[3] + una[4] + una[8] + una[6].strip(), at + 9
                continue
            found = _edifact_segment(syntax).match(buffer, at)
            if found is None and (not ending or at == len(buffer)):
                break
            raw = buffer[at:] if found is None else found.group(1)
            at = len(buffer) if found is None else found.end()
            if raw.strip():
                yield _elements(raw.strip(), syntax), syntax[0]


_BLANK = re.compile(r"\s*")


@functools.lru_cache(maxsize=8)
def _edifact_segment(syntax: str) -> re.Pattern[str]:
    """A segment up to its unreleased terminator."""
    terminator = re.escape(syntax[2])
    if len(syntax) < 4:
        return re.compile(f"([^{terminator}]*){terminator}")
    release = re.escape(syntax[3])
    return re.compile(f"((?:[^{terminator}{release}]|{release}.)*){terminator}", re.DOTALL)


def _elements(raw: str, syntax: str) -> list[str]:
    element, release = syntax[1], syntax[3:]
    if not release or release not in raw:
        return raw.split(element)
    parts: list[str] = []
    current, released = "", False
    for character in raw:
        if released:
            current, released = current + character, False
        elif character == release:
            current, released = current + character, True
        elif character == element:
            parts, current = [*parts, current], ""
        else:
            current += character
    return [*parts, current]


def _field(segment: list[str] | None, index: int) -> str:
    return segment[index].strip() if segment and len(segment) > index else ""


def _x12(found: _Landmarks, error: EdiSyntaxError, profile: PartnerProfile, control: int,
         at: datetime) -> Rejection:  # fmt: skip
    isa, gs, st = found.header, found.group, found.document
    code = _set_error(error)
    body = [Segment.of("AK1", _field(gs, 1) or "PR", _field(gs, 6) or "0")]
    if st is not None and (code == "2" or error.tag not in ("GE", "IEA", "ISA", "GS")):
        body.append(Segment.of("AK2", _field(st, 1), _field(st, 2)))
        if code == "5" and error.position is not None and error.tag:
            in_set = error.position - found.document_at + 1
            body.append(Segment.of("AK3", error.tag[:3], str(in_set), "", "8"))
        body.append(Segment.of("AK5", "R", code))
    body.append(Segment.of("AK9", "R", "1", "1", "0"))
    envelope = X12Envelope(
        profile.ours.qualifier, profile.ours.id, profile.theirs.qualifier, profile.theirs.id,
        control, control, at, version=profile.version,
    )  # fmt: skip
    delimiters = Delimiters()
    interchange = enclose_x12([transaction_set("997", "0001", body)], "FA", envelope, delimiters)
    return Rejection(x12_writer.write(interchange, delimiters), _field(isa, 13), "997")


def _edifact(found: _Landmarks, error: EdiSyntaxError, profile: PartnerProfile, control: int,
             at: datetime) -> Rejection:  # fmt: skip
    unb, unh, component = found.header, found.document, found.component
    reference = _field(unb, 5)
    code = _message_error(error)
    sender = _field(unb, 2).split(component)
    recipient = _field(unb, 3).split(component)
    body = [Segment.of("UCI", reference or "0", sender, recipient, "4")]
    if unh is not None and (code == "13" or error.tag not in ("UNZ", "UNB", "UNE", "UNG")):
        body.append(Segment.of("UCM", _field(unh, 1), _field(unh, 2).split(component), "4", code))
        if code in ("12", "21") and error.position is not None:
            in_message = error.position - found.document_at + 1
            body.append(Segment.of("UCS", str(in_message), code))
    message = [
        Segment.of("UNH", "1", ["CONTRL", "D", "3", "UN"]),
        *body,
        Segment.of("UNT", str(len(body) + 2), "1"),
    ]
    envelope = EdifactEnvelope(
        profile.ours.id, profile.ours.qualifier, profile.theirs.id, profile.theirs.qualifier,
        str(control), at,
    )  # fmt: skip
    syntax = Syntax()
    document = edifact_writer.write(enclose_edifact([message], envelope, syntax), syntax)
    return Rejection(document, reference, "CONTRL")
