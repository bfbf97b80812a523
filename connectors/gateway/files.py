"""An EDI file through the whole gateway, streamed: kept byte for byte, translated, applied,
and, when it cannot be read, parked and answered with our rejecting 997 / CONTRL. What
`supplyhub edi receive FILE` and the drop directory run.

A file of up to 1 MB goes through the receiver every door uses (sets refused one by one).
A larger file is never held: it is archived a chunk at a time (`put_file`), then read by
the streaming readers to judge it whole (a wrong trailer at the end refuses every set before
it, as `POST /api/v1/edi` refuses an interchange whole), keeping its commands when they are
few (50,000 lines: some 17 MB); with more, the file is read a second time to apply them.
The commands are applied a batch at a time, each with the message id ``POST /api/v1/edi``
gives it, so a file received again, or after a crash before it was moved, is a replay:
nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import Translation
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
        hold_bytes: int = 1 << 20,
        hold_lines: int = 50_000,
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
        # A file of up to 1 MB goes through the receiver every other door uses (REST, AS2, the
        # mailboxes): sets refused one by one, our accepting 997 / CONTRL, the partner's
        # matched. The receiver keeps every command of the interchange until it is judged,
        # about 340 bytes a line (8 MB of invoices: 137 MB). A larger file is streamed
        # here: applied or refused whole, acknowledged from its envelopes, and a partner's
        # 997 / CONTRL in it matched by this receiver's `matched`, the one code path for it.
        self.hold_bytes = hold_bytes
        self.receiver = receiver
        # A streamed file's commands (about 340 bytes a line) are kept from the judging read
        # up to 50,000 lines; beyond, the file is read a second time to apply them.
        self.hold_lines = hold_lines
        self.clock = clock

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
        if path.stat().st_size <= self.hold_bytes and self.receiver is not None:
            return self._received(path, profile, on_result)
        receipt = FileReceipt(profile.partner, self.payloads.put_file(path))
        at = self.clock()
        held: list[Translation] | None = []
        weight = 0
        envelopes = Envelopes()
        try:  # judged whole before anything applies; its commands kept meanwhile, if few
            for each in self._translations(path, profile, envelopes.seen):
                weight += sum(lines_of(command) for command in each.commands)
                if weight > self.hold_lines:
                    held = None
                elif held is not None:
                    held.append(each)
        except EdiSyntaxError as error:
            receipt.refused = str(error)
            receipt.ack = self._park(path, profile, receipt.ref, error, at)
            self.payloads.put(receipt.ack)
            return receipt
        translations = self._translations(path, profile) if held is None else held
        for batch in self._batches(self._commands(translations, profile, at)):
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
        for batch in self._batches(received.commands):
            self._apply(batch, at, receipt, on_result)
        return receipt

    def _batches(self, commands: Iterable[InboundCommand]) -> Iterator[list[InboundCommand]]:
        """Batches of at most `batch_size` commands and about `batch_lines` lines."""
        batch: list[InboundCommand] = []
        weight = 0
        for each in commands:
            batch.append(each)
            weight += lines_of(each.command)
            if len(batch) >= self.batch_size or weight >= self.batch_lines:
                yield batch
                batch, weight = [], 0
        if batch:
            yield batch

    def _park(self, path: Path, profile: PartnerProfile, ref: str, error: EdiSyntaxError,
              at: datetime) -> bytes:  # fmt: skip
        """Parked with the reason; our rejecting ack, written once (the file read again in
        chunks up to the error, for the envelope of the set in error)."""
        return self.documents.park(
            ref, profile.partner, str(error), at,
            lambda control: rejecting_ack(chunks(path), error, profile, control, at).document,
        )  # fmt: skip

    def _translations(
        self, path: Path, profile: PartnerProfile,
        seen: Callable[[TransactionSet | Message], None] | None = None,
    ) -> Iterator[Translation]:  # fmt: skip
        return translate_file(chunks(path), profile, seen)

    def _commands(
        self, translations: Iterable[Translation], profile: PartnerProfile, at: datetime
    ) -> Iterator[InboundCommand]:
        """Each translation's commands and, the file being judged whole, what a partner's
        997 / CONTRL in it calls for, matched to what we sent by the receiver, as every other
        door matches it."""
        for translation in translations:
            yield from EdiInbound.commands_of(translation)
            if translation.acknowledgment is not None and self.receiver is not None:
                yield from self.receiver.matched(profile, translation, at)

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
