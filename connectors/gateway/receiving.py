"""One interchange from a partner, whichever door it came through (``POST /api/v1/edi``, the
worker's mailbox or a synchronous answer): kept, read set by set (never held read whole,
which costs about 40 times its size) and judged whole (every trailer checked before anything
is applied), each set translated on its own, our functional ack written from the envelopes
(envelopes.py), and the partner's own 997 / CONTRL matched to what we sent.

- An interchange the readers refuse (syntax, control counts, a sender that is not the
  partner) is parked whole and answered with our rejecting ack (rejection.py); nothing of it
  is applied.
- Otherwise each set is translated separately: a set the translator refuses is rejected in
  our ack (AK3/AK4/AK5 R, UCM/UCS 4) and the interchange is listed by `edi parked` with the
  reasons; the other sets' commands are applied. Our ack is written once per interchange
  (acknowledgements.py, functional_acks.py) and the same ack answers it again.
- A partner's 997 / CONTRL is matched by the control number it names to the order document
  we sent: a rejection opens an ``order_rejected_in_ack`` case, an ack after the overdue case
  was opened resolves that case. Both are commands applied with the rest. A partner's TA1 is
  matched by TA101 (our ISA13) the same way: kept, and when it rejects (TA104 R) the
  document's verdict, with TA105's note code and meaning in the case.

Nothing is applied here: the caller applies ``Received.commands`` with its own provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import EdiSyntaxError, EnvelopeError
from connectors.edi.inbound import translate_message, translate_set
from connectors.edi.segment import Segment
from connectors.edi.translation import AckResult, FunctionalAck, Translation
from connectors.edi.x12 import reader as x12_reader
from connectors.edi.x12.interchange import Interchange as X12Interchange
from connectors.edi.x12.interchange import TransactionSet
from connectors.edi.x12.interchange_ack import InterchangeAck, read_ta1
from connectors.gateway.acknowledgements import acknowledgement, answers_anything
from connectors.gateway.envelopes import Envelope, Envelopes, key_of
from connectors.gateway.functional_acks import Expected, FunctionalAcks
from connectors.gateway.inbound import EdiInbound, InboundCommand
from connectors.gateway.profile import PartnerProfile
from connectors.gateway.rejection import rejecting_ack
from domain.commands import RecordFunctionalAckProblem, ResolveException
from domain.errors import ValidationError


class Parking(Protocol):
    def park(self, ref: str, partner: str, reason: str, at: datetime,
             write: Callable[[int], bytes]) -> bytes: ...  # fmt: skip


class Payloads(Protocol):
    def put(self, payload: bytes) -> str: ...


@dataclass(frozen=True)
class Received:
    """What became of one interchange."""

    ref: str  # its payload reference
    commands: list[InboundCommand] = field(default_factory=list)
    ack: bytes = b""  # our 997 / CONTRL for it; empty for a partner's functional ack
    parked: str = ""  # why it, or some of its sets, were refused
    rejected: bool = False  # refused whole: nothing of it to apply


class EdiReceiver:
    def __init__(self, partners: EdiInbound, parking: Parking, acks: FunctionalAcks,
                 payloads: Payloads,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:  # fmt: skip
        self.partners = partners
        self.parking = parking
        self.acks = acks
        self.payloads = payloads
        self.clock = clock

    def receive(self, partner: str, body: bytes) -> list[Received]:
        """Each interchange of ``body``; a `ValidationError` when the partner has no profile
        or the body is empty."""
        profile = self.partners.profile(partner)
        found = interchanges(body)
        if not found:
            raise ValidationError("interchange", "the body is empty: no ISA, UNA or UNB")
        return [self.receive_one(profile, each) for each in found]

    def receive_one(self, profile: PartnerProfile, interchange: bytes) -> Received:
        ref = self.payloads.put(interchange)  # as it came, whatever becomes of it
        at = self.clock()
        envelopes = Envelopes()
        try:
            parts = _read(interchange, profile, envelopes.seen)
        except EdiSyntaxError as error:
            return self._rejected(profile, interchange, ref, error, at)
        commands: list[InboundCommand] = []
        for part in parts.values():
            if part.header is not None:
                commands.extend(self._interchange_acks(profile, part.header, part.ta1s, at))
            for translation in part.translations:
                commands.extend(self.partners.commands_of(translation))
                commands.extend(self.matched(profile, translation, at))
        reasons = [str(error) for part in parts.values() for error in part.refused.values()]
        acks = [
            self._ours(key, skeleton, parts[key].refused, profile, ref, at)
            for key, skeleton in envelopes.interchanges()
            if answers_anything(skeleton)
        ]
        return Received(ref, commands, b"".join(acks), "; ".join(reasons))

    def _rejected(self, profile: PartnerProfile, interchange: bytes, ref: str,
                  error: EdiSyntaxError, at: datetime) -> Received:  # fmt: skip
        """Parked whole with the reason; our rejecting 997 / CONTRL (written once)."""
        ack = self.parking.park(
            ref, profile.partner, str(error), at,
            lambda control: rejecting_ack(interchange, error, profile, control, at).document,
        )  # fmt: skip
        self.payloads.put(ack)
        return Received(ref, [], ack, str(error), rejected=True)

    def _ours(self, key: str, each: Envelope, refused: dict[int, EdiSyntaxError],
              profile: PartnerProfile, ref: str, at: datetime) -> bytes:  # fmt: skip
        reasons = "; ".join(str(error) for error in refused.values())
        ack = self.acks.ours(
            key, profile.partner, at,
            lambda control: acknowledgement(each, refused, profile, control, at) or b"",
            (ref, reasons) if refused else None,
        )  # fmt: skip
        self.payloads.put(ack)
        return ack

    def matched(self, profile: PartnerProfile, translation: Translation,
                at: datetime) -> list[InboundCommand]:  # fmt: skip
        """The partner's 997 / CONTRL against the order document it names: the commands its
        verdict calls for (none for anything but a functional ack). Every door that reads a
        partner's ack matches it here (the streamed files of connectors/gateway/files.py too)."""
        ack = translation.acknowledgment
        if ack is None:
            return []
        rejected = _rejected(ack)
        detail = "; ".join([*ack.errors, *(e for s in ack.sets for e in s.errors)]) or ack.result
        expected = self.acks.matched(
            profile.partner, ack.reference, "rejected" if rejected else "accepted", detail, at
        )
        if expected is None:
            return []
        said = f"{translation.message} {translation.control} ({ack.result})"
        channel = translation.standard.lower()
        return _verdict(expected, rejected, detail, translation.message_id, channel, said, at)

    def _interchange_acks(
        self, profile: PartnerProfile, header: Segment, ta1s: list[InterchangeAck], at: datetime
    ) -> list[InboundCommand]:
        """Each TA1 of an interchange (``header``: its ISA) against our interchange it names
        (TA101, our ISA13): kept; a rejection is the document's verdict, as a rejecting 997
        is."""
        found: list[InboundCommand] = []
        for n, ta1 in enumerate(ta1s, start=1):
            if not self.acks.interchange_acked(profile.partner, ta1.reference, ta1.code,
                                               ta1.note, at):  # fmt: skip
                continue
            if not ta1.rejected:
                continue
            expected = self.acks.matched(profile.partner, ta1.reference, "rejected", ta1.detail,
                                         at)  # fmt: skip
            if expected is None:  # its 997 came first: the document has its verdict
                continue
            base = f"edi:{header.get(6).strip()}:{header.get(13)}:ta1:{n}"
            found.extend(_verdict(expected, True, ta1.detail, base, "x12", ta1.detail, at))
        return found


def _verdict(expected: Expected, rejected: bool, detail: str, base: str, channel: str,
             said: str, at: datetime) -> list[InboundCommand]:  # fmt: skip
    """What a partner's verdict on a document calls for: the overdue case resolved when it
    came late; a case for the buyer when it rejects the document."""
    found = []
    if expected.case not in ("", "-"):  # "-": the overdue case could not be opened
        late = f"{said} came after the {_waited(expected, at)}"
        found.append(
            InboundCommand(
                f"{base}:late",
                channel,
                ResolveException(
                    expected.case, f"functional ack of {expected.document} arrived late: {late}"
                ),
            )
        )
    if rejected:
        found.append(
            InboundCommand(
                f"{base}:rejected",
                channel,
                RecordFunctionalAckProblem(
                    expected.po_number, expected.document, "rejected", detail[:900]
                ),
            )
        )
    return found


def _waited(expected: Expected, at: datetime) -> str:
    minutes = int((at - expected.sent_at).total_seconds() // 60)
    return f"{minutes} minutes the partner took"


def _rejected(ack: FunctionalAck) -> bool:
    return ack.result is AckResult.REJECTED or any(
        each.result is AckResult.REJECTED for each in ack.sets
    )


@dataclass
class _Part:
    """What one interchange of the input said: the TA1s after its ISA, its sets' translations
    and the refusals of its sets by position."""

    header: Segment | None = None  # its ISA, known once its IEA is read (X12)
    ta1s: list[InterchangeAck] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)
    refused: dict[int, EdiSyntaxError] = field(default_factory=dict)


def _read(
    interchange: bytes, profile: PartnerProfile, seen: Callable[[TransactionSet | Message], None]
) -> dict[str, _Part]:
    """Each set read (every trailer checked: a reader's refusal refuses the whole) and
    translated on its own, never the interchange held read whole (about 40 times its size),
    by interchange key ("<sender>:<control>"). A refusal of the envelope (a sender that is
    not the partner) or a TA1 that cannot be read refuses the whole."""
    start = interchange.lstrip(b"\xef\xbb\xbf \t\r\n")[:3]
    items: Iterator[TransactionSet | Message | X12Interchange]
    if start == b"ISA":
        items = x12_reader.read_sets_and_envelopes([interchange])
    elif start in (b"UNA", b"UNB"):
        items = edifact_reader.read_messages([interchange])
    else:
        rule = f"{start.decode('latin-1')!r} begins neither X12 (ISA) nor EDIFACT (UNA, UNB)"
        raise EnvelopeError("EDI", "", 1, rule)
    parts: dict[str, _Part] = {}
    for item in items:
        if isinstance(item, X12Interchange):
            part = parts.setdefault(f"{item.header.get(6).strip()}:{item.control}", _Part())
            part.header = item.header
            part.ta1s = [read_ta1(each, 1 + n) for n, each in enumerate(item.acknowledgments, 1)]
            continue
        seen(item)
        part = parts.setdefault(key_of(item), _Part())
        try:
            if isinstance(item, TransactionSet):
                part.translations.append(translate_set(item, profile))
            else:
                part.translations.append(translate_message(item, profile))
        except EdiSyntaxError as error:
            if error.tag in ("ISA", "UNB"):
                raise
            part.refused[item.position] = error
    return parts


def interchanges(body: bytes) -> list[bytes]:
    """Each interchange of a body holding several (a mailbox's, one a line), as its bytes
    came, so each is kept and answered on its own and one that cannot be read does not
    refuse the others. A new interchange starts a line with ISA, UNA, or a UNB that no UNA
    line heads; a body without such lines is one interchange."""
    starts: list[int] = []
    offset, after_una = 0, False
    for line in body.splitlines(keepends=True):
        head = line.lstrip()[:3]
        if head in (b"ISA", b"UNA") or (head == b"UNB" and not after_una):
            starts.append(offset)
        after_una = head == b"UNA" and len(line.strip()) <= 9
        offset += len(line)
    if not starts or (starts[0] != 0 and body[: starts[0]].strip()):
        starts.insert(0, 0)
    ends = [*starts[1:], len(body)]
    return [body[a:b] for a, b in zip(starts, ends, strict=True) if body[a:b].strip()]
