"""An EDI file through the whole gateway, streamed: kept byte for byte, translated, applied,
and, when it cannot be read, parked and answered with our rejecting 997 / CONTRL. What
`supplyhub edi receive FILE` and the drop directory run.

The file is never held: it is archived a chunk at a time (`put_file`), then read by the
streaming readers to judge it whole (a wrong trailer at the end refuses every set before it,
as `POST /api/v1/edi` refuses an interchange whole), keeping its commands when the file
is small (8 MB: some tens of MB of commands at most); a larger file is read a second time.
The commands are applied a batch at a time, each with the message id ``POST /api/v1/edi``
gives it, so a file received again, or after a crash before it was moved, is a replay:
nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.acknowledgements import acknowledgement, answers_anything
from connectors.gateway.envelopes import Envelope, Envelopes
from connectors.gateway.inbound import EdiInbound, InboundCommand, batch_items
from connectors.gateway.outbound import OutboundDocuments
from connectors.gateway.profile import PartnerProfile
from connectors.gateway.receiving import EdiReceiver
from connectors.gateway.rejection import rejecting_ack
from domain.application import SupplyHub
from domain.commands import Command
from domain.errors import DomainError, ValidationError
from domain.outcome import Outcome
from storage.payloads import Payloads

_CHUNK = 1 << 16
_UNB_SENDER = re.compile(rb"UNB\+[^+]*\+([^:+']*)")


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """One command of the file and what the hub did with it."""

    message_id: str
    command: str
    result: Outcome | DomainError


@dataclass
class FileReceipt:
    partner: str
    ref: str  # the file's payload reference
    applied: int = 0
    replayed: int = 0
    problems: int = 0  # commands the hub refused (a business problem, not the file's syntax)
    refused: str = ""  # why the file could not be read: parked, nothing applied
    ack: bytes = field(default=b"", repr=False)  # our rejecting 997 / CONTRL, when refused


def lines_of(command: Command) -> int:
    """How many lines a command carries (an ASN's items across its orders and packs): what a
    batch of it weighs in memory."""
    lines = getattr(command, "lines", ())
    orders = getattr(command, "orders", ())
    items = sum(len(pack.items) for order in orders for pack in order.packs)
    return 1 + len(lines) + items


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def sender_of(path: Path) -> str:
    """The sender's interchange id in the file's first envelope (ISA06, UNB S002 0004)."""
    with path.open("rb") as file:
        head = file.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"ISA") and len(head) > 106:
        return head[:106].split(head[3:4])[6].decode("latin-1").strip()
    found = _UNB_SENDER.search(head)
    return found.group(1).decode("latin-1") if found else ""


class FileGateway:
    def __init__(
        self,
        hub: SupplyHub,
        partners: EdiInbound,
        payloads: Payloads,
        documents: OutboundDocuments,
        *,
        batch_size: int = 500,
        batch_lines: int = 5_000,
        hold_bytes: int = 8 << 20,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        receiver: EdiReceiver | None = None,
    ) -> None:
        self.hub = hub
        self.partners = partners
        self.payloads = payloads
        self.documents = documents
        self.batch_size = batch_size
        # A batch ends at 500 commands or 5,000 lines, whichever comes first: a batch's
        # commands, the orders they load and the events they make are all in memory at once,
        # and 500 invoices of 1,000 lines each held 1.3 GB (bench_gateway.py rss).
        self.batch_lines = batch_lines
        self.hold_bytes = hold_bytes  # a file this small has its commands kept, not re-read
        self.clock = clock
        # A file this small goes through the receiver every other door uses (REST, AS2, the
        # mailboxes): sets refused one by one, our accepting 997 / CONTRL, the partner's
        # matched. A larger one is streamed here: applied or refused whole, acknowledged
        # from its envelopes (connectors/gateway/envelopes.py), and a partner's 997 / CONTRL
        # in it matched by this receiver's `matched`, the one code path for it.
        self.receiver = receiver

    def partner_of(self, path: Path) -> PartnerProfile:
        """The profile whose partner sent the file (its envelope's sender id)."""
        sender = sender_of(path)
        for profile in self.partners.profiles():
            if profile.theirs.id == sender:
                return profile
        raise ValidationError("partner", f"no partner profile has the sender id {sender!r}")

    def receive(
        self,
        path: Path,
        partner: str = "",
        on_result: Callable[[DocumentResult], None] = lambda _: None,
    ) -> FileReceipt:
        profile = self.partners.profile(partner) if partner else self.partner_of(path)
        small = path.stat().st_size <= self.hold_bytes
        if small and self.receiver is not None:
            return self._received(path, profile, on_result)
        receipt = FileReceipt(profile.partner, self.payloads.put_file(path))
        at = self.clock()
        held: list[InboundCommand] = []
        envelopes = Envelopes()
        try:  # judged whole before anything applies; a small file's commands kept meanwhile
            for each in self._commands(path, profile, envelopes.seen):
                if small:
                    held.append(each)
        except EdiSyntaxError as error:
            receipt.refused = str(error)
            receipt.ack = self._park(path, profile, receipt.ref, error, at)
            self.payloads.put(receipt.ack)
            return receipt
        batch: list[InboundCommand] = []
        weight = 0
        for each in held if small else self._commands(path, profile, matched_at=at):
            batch.append(each)
            weight += lines_of(each.command)
            if len(batch) >= self.batch_size or weight >= self.batch_lines:
                self._apply(batch, at, receipt, on_result)
                batch, weight = [], 0
        self._apply(batch, at, receipt, on_result)
        receipt.ack = self._acknowledged(envelopes, profile, at)
        return receipt

    def _acknowledged(self, envelopes: Envelopes, profile: PartnerProfile, at: datetime) -> bytes:
        """Our 997 / CONTRL for each interchange of a streamed file (every set accepted: one
        refused would have refused the file), written once, for `worker edi` to deliver."""
        if self.receiver is None:
            return b""
        acks = []
        for key, skeleton in envelopes.interchanges():
            if not answers_anything(skeleton):
                continue
            ack = self.receiver.acks.ours(key, profile.partner, at, _writer(skeleton, profile, at))
            self.payloads.put(ack)
            acks.append(ack)
        return b"".join(acks)

    def _received(self, path: Path, profile: PartnerProfile,
                  on_result: Callable[[DocumentResult], None]) -> FileReceipt:  # fmt: skip
        assert self.receiver is not None
        received = self.receiver.receive_one(profile, path.read_bytes())
        receipt = FileReceipt(profile.partner, received.ref, ack=received.ack)
        if received.rejected:
            receipt.refused = received.parked
            return receipt
        at = self.clock()
        commands = received.commands
        for start in range(0, len(commands), self.batch_size):
            self._apply(commands[start : start + self.batch_size], at, receipt, on_result)
        return receipt

    def _park(self, path: Path, profile: PartnerProfile, ref: str, error: EdiSyntaxError,
              at: datetime) -> bytes:  # fmt: skip
        """Parked with the reason; our rejecting ack, written once (the file is read whole
        here, the one place it is: the ack names the envelope of the set in error)."""
        return self.documents.park(
            ref, profile.partner, str(error), at,
            lambda control: rejecting_ack(path.read_bytes(), error, profile, control, at).document,
        )  # fmt: skip

    def _commands(
        self, path: Path, profile: PartnerProfile,
        seen: Callable[[TransactionSet | Message], None] | None = None,
        matched_at: datetime | None = None,
    ) -> Iterator[InboundCommand]:  # fmt: skip
        """Each command of the file; with ``matched_at`` (the pass that applies, once the file
        was judged whole) also what a partner's 997 / CONTRL in it calls for, matched to what
        we sent by the receiver, as every other door matches it."""
        for translation in translate_file(chunks(path), profile, seen):
            yield from EdiInbound.commands_of(translation)
            if matched_at is not None and self.receiver is not None:
                yield from self.receiver.matched(profile, translation, matched_at)

    def _apply(
        self,
        batch: list[InboundCommand],
        at: datetime,
        receipt: FileReceipt,
        on_result: Callable[[DocumentResult], None],
    ) -> None:
        if not batch:
            return
        items = batch_items(batch, receipt.partner, receipt.ref, at)
        for each, result in zip(batch, self.hub.handle_batch(items), strict=True):
            if isinstance(result, DomainError):
                receipt.problems += 1
            elif result.replayed:
                receipt.replayed += 1
            else:
                receipt.applied += 1
            on_result(DocumentResult(each.message_id, type(each.command).__name__, result))


def _writer(skeleton: Envelope, profile: PartnerProfile, at: datetime) -> Callable[[int], bytes]:
    return lambda control: acknowledgement(skeleton, {}, profile, control, at) or b""
