"""An inbound file, whichever syntax it is in, as the translations of its sets or messages.

Pure: chunks of bytes in, `Translation`s out. The syntax is told by the first segment (ISA:
X12; UNA or UNB: EDIFACT). Without a profile each interchange is read with the one its own
envelope implies (``PartnerProfile.from_document``); with one, its sender must be the
partner's. Every command is then held to the domain's limits, so a refusal here names the set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TypeVar

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.edifact.interchange import Message
from connectors.edi.edifact.translate import translate as translate_edifact
from connectors.edi.errors import EdiSyntaxError, EnvelopeError, TranslationError
from connectors.edi.stream import Chunk
from connectors.edi.translation import Translation
from connectors.edi.x12 import reader as x12_reader
from connectors.edi.x12.interchange import TransactionSet
from connectors.edi.x12.translate import translate as translate_x12
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress
from domain.limit_check import violations


def translate_file(
    chunks: Iterable[Chunk],
    profile: PartnerProfile | None = None,
    seen: Callable[[TransactionSet | Message], None] | None = None,
) -> Iterator[Translation]:
    """Each set or message of each interchange in the input, translated, in order.

    ``seen``: told of each set or message as read, before it is translated (a streamed
    file's functional ack is written from what it was told, the file never held)."""
    it = iter(chunks)
    head = b""
    for chunk in it:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
        head += data
        if len(head.lstrip(b"\xef\xbb\xbf \t\r\n")) >= 3 or len(head) > 4096:
            break
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:3]
    rest = chain([head], it)
    if start == b"ISA":
        yield from _numbered(x12_reader.read_sets(rest), translate_set, profile, seen)
    elif start in (b"UNA", b"UNB"):
        yield from _numbered(edifact_reader.read_messages(rest), translate_message, profile, seen)
    else:
        shown = start.decode("latin-1")
        rule = f"{shown!r} begins neither X12 (ISA) nor EDIFACT (UNA, UNB)"
        raise EnvelopeError("EDI", "", 1, rule)


_Document = TypeVar("_Document", TransactionSet, Message)


def _numbered(
    documents: Iterator[_Document],
    translate: Callable[[_Document, PartnerProfile | None], Translation],
    profile: PartnerProfile | None,
    seen: Callable[[TransactionSet | Message], None] | None,
) -> Iterator[Translation]:
    """Each document translated; a refusal says which interchange of the input it is in."""
    ordinal, header = 0, None
    for document in documents:
        if document.interchange is not header:
            ordinal, header = ordinal + 1, document.interchange
        if seen is not None:
            seen(document)
        try:
            translation = translate(document, profile)
        except EdiSyntaxError as error:
            error.interchange = ordinal
            raise
        yield translation


def translate_set(document: TransactionSet, profile: PartnerProfile | None) -> Translation:
    """One X12 set already read, translated and held to the domain's limits."""
    translation = translate_x12(document, _x12_profile(document, profile))
    isa = document.interchange
    return _checked(translation, f"{isa.get(6).strip()}:{isa.get(13)}", document.group.get(6))


def translate_message(message: Message, profile: PartnerProfile | None) -> Translation:
    """One EDIFACT message already read, translated and held to the domain's limits."""
    translation = translate_edifact(message, _edifact_profile(message, profile))
    unb, group = message.interchange, message.group
    return _checked(translation, f"{unb.get(2, 1)}:{unb.get(5)}", group.get(5) if group else "")


def _x12_profile(document: TransactionSet, profile: PartnerProfile | None) -> PartnerProfile:
    isa = document.interchange
    sender = PartyAddress(isa.get(5), isa.get(6).strip())
    receiver = PartyAddress(isa.get(7), isa.get(8).strip())
    if profile is None:
        return PartnerProfile.from_document(Dialect.X12, document.version, sender, receiver)
    _same_partner("X12", "ISA", "ISA06", sender, profile)
    return profile


def _edifact_profile(message: Message, profile: PartnerProfile | None) -> PartnerProfile:
    unb = message.interchange
    sender = PartyAddress(unb.get(2, 2), unb.get(2, 1))
    receiver = PartyAddress(unb.get(3, 2), unb.get(3, 1))
    if profile is None:
        version = message.version.replace(":", "")
        return PartnerProfile.from_document(Dialect.EDIFACT, version, sender, receiver)
    _same_partner("EDIFACT", "UNB", "UNB S002 0004", sender, profile)
    return profile


def _same_partner(
    standard: str, tag: str, element: str, sender: PartyAddress, profile: PartnerProfile
) -> None:
    if sender.id != profile.theirs.id:
        raise TranslationError(
            standard, tag, 1,
            f"{element} {sender.id!r} is not partner {profile.partner}'s id {profile.theirs.id!r}",
            element,
        )  # fmt: skip


def _checked(translation: Translation, interchange: str, group: str) -> Translation:
    for command in translation.commands:
        broken = violations(command)
        if broken:
            first = broken[0]
            tag = "ST" if translation.standard == "X12" else "UNH"
            raise TranslationError(
                translation.standard, tag, translation.position,
                f"{translation.message} {translation.control}: {type(command).__name__} "
                f"{first.field} {first.rule}",
                first.field,
            )  # fmt: skip
    return dataclasses.replace(translation, interchange=interchange, group=group)
