"""Our functional acknowledgment rejecting an interchange we cannot read: an X12 997 (AK1,
AK2, AK3, AK5, AK9) or an EDIFACT CONTRL (UCI, UCM, UCS), naming where it broke.

Pure: the refused bytes, the refusal (an `EdiSyntaxError`, with its segment position) and the
partner's profile in; the whole interchange out. The refused bytes cannot be read by the
readers (that is why they were refused), so the envelope values the ack must echo (GS01,
GS06, ST01, ST02; UNB 0020, S002, S003, UNH 0062, S009) are taken from a plain split of the
segments up to the error, with the delimiters the header declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    refused: bytes, error: EdiSyntaxError, profile: PartnerProfile, control: int, at: datetime
) -> Rejection:
    if refused.lstrip().startswith(b"ISA"):
        return _x12(refused.lstrip(), error, profile, control, at)
    return _edifact(refused.lstrip(), error, profile, control, at)


def _split(text: str, terminator: str, element: str) -> list[list[str]]:
    segments = (part.strip() for part in text.split(terminator))
    return [segment.split(element) for segment in segments if segment]


def _before(segments: list[list[str]], position: int | None, tag: str) -> list[str] | None:
    """The last ``tag`` segment at or before the error's position (1 = the header)."""
    last = len(segments) if position is None else min(position, len(segments))
    found = [(n, each) for n, each in enumerate(segments[:last], start=1) if each[0] == tag]
    return found[-1][1] if found else None


def _at(segments: list[list[str]], position: int | None, tag: str) -> int:
    last = len(segments) if position is None else min(position, len(segments))
    found = [n for n, each in enumerate(segments[:last], start=1) if each[0] == tag]
    return found[-1] if found else 1


def _field(segment: list[str] | None, index: int) -> str:
    return segment[index].strip() if segment and len(segment) > index else ""


def _x12(refused: bytes, error: EdiSyntaxError, profile: PartnerProfile, control: int,
         at: datetime) -> Rejection:  # fmt: skip
    text = refused.decode("latin-1")
    element = text[3] if len(text) > 3 else "*"
    terminator = text[105] if len(text) > 105 else "~"
    segments = _split(text, terminator, element)
    isa, gs = _before(segments, None, "ISA"), _before(segments, error.position, "GS")
    st = _before(segments, error.position, "ST")
    code = _set_error(error)
    body = [Segment.of("AK1", _field(gs, 1) or "PR", _field(gs, 6) or "0")]
    if st is not None and (code == "2" or error.tag not in ("GE", "IEA", "ISA", "GS")):
        body.append(Segment.of("AK2", _field(st, 1), _field(st, 2)))
        if code == "5" and error.position is not None and error.tag:
            in_set = error.position - _at(segments, error.position, "ST") + 1
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


def _edifact(refused: bytes, error: EdiSyntaxError, profile: PartnerProfile, control: int,
             at: datetime) -> Rejection:  # fmt: skip
    text = refused.decode("latin-1")
    component, element, terminator = ":", "+", "'"
    if text.startswith("UNA") and len(text) >= 9:
        component, element, terminator = text[3], text[4], text[8]
        text = text[9:]
    segments = _split(text, terminator, element)
    unb, unh = _before(segments, None, "UNB"), _before(segments, error.position, "UNH")
    reference = _field(unb, 5)
    code = _message_error(error)
    sender = _field(unb, 2).split(component)
    recipient = _field(unb, 3).split(component)
    body = [Segment.of("UCI", reference or "0", sender, recipient, "4")]
    if unh is not None and (code == "13" or error.tag not in ("UNZ", "UNB", "UNE", "UNG")):
        body.append(Segment.of("UCM", _field(unh, 1), _field(unh, 2).split(component), "4", code))
        if code in ("12", "21") and error.position is not None:
            in_message = error.position - _at(segments, error.position, "UNH") + 1
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
