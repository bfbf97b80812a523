"""Our functional acknowledgement of an interchange we could read: an X12 997 (AK1, AK2, AK3,
AK4, AK5, AK9 per group) or an EDIFACT CONTRL (UCI, UCF, UCM, UCS, UCD) saying each set or message
accepted, or rejected where the translator refused it, naming the segment and element.

Pure: the interchange as read, the refusals by set position, the profile and our control
number in; the whole interchange out. Functional acks of the partner (997 groups, GS01 ``FA``;
CONTRL messages) are never acknowledged; an interchange of nothing else gets no ack (None).
An interchange the readers refuse is answered by connectors/gateway/rejection.py instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from connectors.edi.edifact import syntax_errors as edifact_errors
from connectors.edi.edifact import writer as edifact_writer
from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.envelope import enclose as enclose_edifact
from connectors.edi.edifact.interchange import Interchange as EdifactInterchange
from connectors.edi.edifact.interchange import Message
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import EdiSyntaxError, Fault
from connectors.edi.segment import Segment
from connectors.edi.x12 import syntax_errors as x12_errors
from connectors.edi.x12 import writer as x12_writer
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope, transaction_set
from connectors.edi.x12.envelope import enclose as enclose_x12
from connectors.edi.x12.interchange import FunctionalGroup, TransactionSet
from connectors.edi.x12.interchange import Interchange as X12Interchange
from connectors.gateway.profile import PartnerProfile

# Refusals by the position of the set's ST / message's UNH in the interchange.
Refusals = Mapping[int, EdiSyntaxError]
# AK404 is AN 1-99: a longer bad value is copied trimmed to its first 99 characters.
_COPY = 99


def acknowledgement(
    interchange: X12Interchange | EdifactInterchange,
    refused: Refusals,
    profile: PartnerProfile,
    control: int,
    at: datetime,
) -> bytes | None:
    """Our 997 / CONTRL for ``interchange``; None when it holds only functional acks."""
    if isinstance(interchange, X12Interchange):
        return _x12(interchange, refused, profile, control, at)
    return _edifact(interchange, refused, profile, control, at)


def answers_anything(interchange: X12Interchange | EdifactInterchange) -> bool:
    """Whether it holds anything but functional acks (which are never acknowledged)."""
    if isinstance(interchange, X12Interchange):
        return any(group.header.get(1) != "FA" for group in interchange.groups)
    return any(each.type != "CONTRL" for each in _messages(interchange))


# --- X12 997 ---------------------------------------------------------------------------------


def _x12(interchange: X12Interchange, refused: Refusals, profile: PartnerProfile, control: int,
         at: datetime) -> bytes | None:  # fmt: skip
    groups = [group for group in interchange.groups if group.header.get(1) != "FA"]
    if not groups:
        return None
    delimiters = Delimiters()
    sets = [
        transaction_set("997", f"{n:04d}", _group_ack(group, refused, delimiters, profile.version))
        for n, group in enumerate(groups, start=1)
    ]
    envelope = X12Envelope(
        profile.ours.qualifier, profile.ours.id, profile.theirs.qualifier, profile.theirs.id,
        control, control, at, version=profile.version,
    )  # fmt: skip
    return x12_writer.write(enclose_x12(sets, "FA", envelope, delimiters), delimiters)


def _group_ack(
    group: FunctionalGroup, refused: Refusals, delimiters: Delimiters, version: str
) -> list[Segment]:
    gs = group.header
    group_version = gs.get(8)
    ak1 = [gs.get(1), gs.get(6)] + ([group_version] if group_version >= "005010" else [])
    body = [Segment.of("AK1", *ak1)]
    accepted = 0
    for each in group.sets:
        body.append(Segment.of("AK2", each.code, each.control))
        error = refused.get(each.position)
        if error is None:
            accepted += 1
            body.append(Segment.of("AK5", "A"))
            continue
        if error.fault is Fault.UNSUPPORTED and error.element == "ST01":
            body.append(Segment.of("AK5", "R", x12_errors.SET_NOT_SUPPORTED))
            continue
        body.extend(_segment_errors(each, error, delimiters, version))
        body.append(Segment.of("AK5", "R", x12_errors.SEGMENTS_IN_ERROR))
    total = len(group.sets)
    verdict = "A" if accepted == total else "R" if accepted == 0 else "P"
    body.append(Segment.of("AK9", verdict, str(total), str(total), str(accepted)))
    return body


def _segment_errors(
    each: TransactionSet, error: EdiSyntaxError, delimiters: Delimiters, version: str
) -> list[Segment]:
    """AK3 (720: 3 mandatory segment missing, 8 element errors) and, for an element, its AK4:
    position (and component), reference number, 723 code, and a copy of the bad value."""
    in_set = str(max(1, (error.position or each.position) - each.position + 1))
    if error.fault is Fault.SEGMENT_MISSING:
        tag = x12_errors.missing_segment(error)[:3]
        return [Segment.of("AK3", tag, in_set, "", x12_errors.SEGMENT_MISSING)]
    ak3 = Segment.of("AK3", error.tag[:3], in_set, "", x12_errors.SEGMENT_IN_ERROR)
    code = x12_errors.data_element_error(error, version)
    at = x12_errors.element_position(error)
    if code is None or at is None:
        return [ak3]
    element, component = at
    where = [str(element), str(component)] if component > 1 else str(element)
    reference = x12_errors.REFERENCE.get(error.element, "")
    copy = _copy(error.value, delimiters) if error.fault is not Fault.MISSING else ""
    return [ak3, Segment.of("AK4", where, reference, code, copy)]


def _copy(value: str | None, delimiters: Delimiters) -> str:
    """AK404: the bad value as it came, trimmed to 99 characters; "" (left out) when it holds
    a character our 997 cannot carry: one of its delimiters (X12 has no escape) or one
    outside printable ASCII."""
    text = (value or "").strip()[:_COPY]
    if any(char in delimiters.characters or not (" " <= char <= "~") for char in text):
        return ""
    return text


# --- EDIFACT CONTRL --------------------------------------------------------------------------


def _messages(interchange: EdifactInterchange) -> list[Message]:
    grouped = [each for group in interchange.groups for each in group.messages]
    return grouped or list(interchange.messages)


def _edifact(interchange: EdifactInterchange, refused: Refusals, profile: PartnerProfile,
             control: int, at: datetime) -> bytes | None:  # fmt: skip
    if not answers_anything(interchange):
        return None
    unb = interchange.header
    answered = [each for each in _messages(interchange) if each.type != "CONTRL"]
    rejected = sum(1 for each in answered if each.position in refused)
    verdict = "4" if rejected == len(answered) else "7"  # 0083: 4 rejected, 7 acknowledged
    body = [Segment.of("UCI", unb.get(5), unb.composite(2), unb.composite(3), verdict)]
    for group in interchange.groups:
        mine = [each for each in group.messages if each.type != "CONTRL"]
        if not mine:
            continue
        ung = group.header
        whole = "4" if all(each.position in refused for each in mine) else "7"
        body.append(Segment.of("UCF", ung.get(5), ung.composite(2), ung.composite(3), whole))
        body.extend(segment for each in mine for segment in _message_ack(each, refused))
    if not interchange.groups:
        body.extend(segment for each in answered for segment in _message_ack(each, refused))
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
    return edifact_writer.write(enclose_edifact([message], envelope, syntax), syntax)


def _message_ack(message: Message, refused: Refusals) -> list[Segment]:
    """UCM 7; or UCM 4 with 0085, the UCS of the segment in error (with 0085 for a missing
    segment), and for an element the UCD: 0085 and S011 (its position and component)."""
    unh = message.segments[0]
    error = refused.get(message.position)
    if error is None:
        return [Segment.of("UCM", unh.get(1), unh.composite(2), "7")]
    code = edifact_errors.syntax_error(error)
    in_message = str(max(1, (error.position or message.position) - message.position + 1))
    found = [Segment.of("UCM", unh.get(1), unh.composite(2), "4", code)]
    identified = edifact_errors.element_identification(error)
    if identified is None:
        return [*found, Segment.of("UCS", in_message, code)]
    return [*found, Segment.of("UCS", in_message), Segment.of("UCD", code, identified)]
