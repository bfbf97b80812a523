"""Our functional acknowledgement of an interchange we could read: an X12 997 (AK1, AK2, AK3,
AK4, AK5, AK9 per group) or an EDIFACT CONTRL (UCI, UCF, UCM, UCS) saying each set or message
accepted, or rejected where the translator refused it, naming the segment and element.

Pure: the interchange as read, the refusals by set position, the profile and our control
number in; the whole interchange out. Functional acks of the partner (997 groups, GS01 ``FA``;
CONTRL messages) are never acknowledged; an interchange of nothing else gets no ack (None).
An interchange the readers refuse is answered by connectors/gateway/rejection.py instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from connectors.edi.edifact import writer as edifact_writer
from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.envelope import enclose as enclose_edifact
from connectors.edi.edifact.interchange import Interchange as EdifactInterchange
from connectors.edi.edifact.interchange import Message
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.segment import Segment
from connectors.edi.x12 import writer as x12_writer
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope, transaction_set
from connectors.edi.x12.envelope import enclose as enclose_x12
from connectors.edi.x12.interchange import FunctionalGroup, TransactionSet
from connectors.edi.x12.interchange import Interchange as X12Interchange
from connectors.gateway.profile import PartnerProfile

# Refusals by the position of the set's ST / message's UNH in the interchange.
Refusals = Mapping[int, EdiSyntaxError]

# X12 723 (AK403), from the refusal's rule: 1 mandatory element missing, 5 too long, 6 invalid
# character, 7 invalid code value, 8 invalid date.
_AK4 = (
    ("is required", "1"),
    ("not a date", "8"),
    ("is not in", "7"),
    ("not a number", "6"),
    ("not a line number", "6"),
    ("characters", "5"),
)
# ISO 9735 0085: 12 invalid value, 13 missing.
_UCS = (("is required", "13"), ("missing", "13"))
_MISSING_SEGMENT = re.compile(r"is required in a .* and missing")


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
    sets = [
        transaction_set("997", f"{n:04d}", _group_ack(group, refused))
        for n, group in enumerate(groups, start=1)
    ]
    envelope = X12Envelope(
        profile.ours.qualifier, profile.ours.id, profile.theirs.qualifier, profile.theirs.id,
        control, control, at, version=profile.version,
    )  # fmt: skip
    delimiters = Delimiters()
    return x12_writer.write(enclose_x12(sets, "FA", envelope, delimiters), delimiters)


def _group_ack(group: FunctionalGroup, refused: Refusals) -> list[Segment]:
    gs = group.header
    version = gs.get(8)
    ak1 = [gs.get(1), gs.get(6)] + ([version] if version >= "005010" else [])
    body = [Segment.of("AK1", *ak1)]
    accepted = 0
    for each in group.sets:
        body.append(Segment.of("AK2", each.code, each.control))
        error = refused.get(each.position)
        if error is None:
            accepted += 1
            body.append(Segment.of("AK5", "A"))
            continue
        body.extend(_segment_errors(each, error))
        body.append(Segment.of("AK5", "R", "5"))  # 717 5: one or more segments in error
    total = len(group.sets)
    verdict = "A" if accepted == total else "R" if accepted == 0 else "P"
    body.append(Segment.of("AK9", verdict, str(total), str(total), str(accepted)))
    return body


def _segment_errors(each: TransactionSet, error: EdiSyntaxError) -> list[Segment]:
    """AK3 (720: 8 element errors, 3 mandatory segment missing) and its AK4."""
    in_set = max(1, (error.position or each.position) - each.position + 1)
    if _MISSING_SEGMENT.search(error.rule):
        return [Segment.of("AK3", error.element[:3], str(in_set), "", "3")]
    ak3 = Segment.of("AK3", error.tag[:3], str(in_set), "", "8")
    digits = error.element[len(error.tag) :] if error.element.startswith(error.tag) else ""
    if not digits.isdigit():
        return [ak3]
    code = next((c for words, c in _AK4 if words in error.rule), "7")
    return [ak3, Segment.of("AK4", str(int(digits)), "", code)]


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
    unh = message.segments[0]
    error = refused.get(message.position)
    if error is None:
        return [Segment.of("UCM", unh.get(1), unh.composite(2), "7")]
    code = next((c for words, c in _UCS if words in error.rule), "12")
    in_message = max(1, (error.position or message.position) - message.position + 1)
    return [
        Segment.of("UCM", unh.get(1), unh.composite(2), "4", code),
        Segment.of("UCS", str(in_message), code),
    ]
