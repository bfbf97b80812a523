"""The envelopes of a streamed file, without its contents: what our functional ack of it needs.

A file too large to hold (connectors/gateway/files.py) is read set by set; each set or
message is kept here as its header segment only (ST / UNH), under its group and interchange
headers, so the 997 / CONTRL for it can be written once the file is judged and applied
(connectors/gateway/acknowledgements.py reads no more of a set than its header). A few
hundred bytes a set: 10,000 sets are a few MB, whatever the file's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.edi.edifact.interchange import Group as EdifactGroup
from connectors.edi.edifact.interchange import Interchange as EdifactInterchange
from connectors.edi.edifact.interchange import Message
from connectors.edi.segment import Segment
from connectors.edi.x12.interchange import FunctionalGroup, TransactionSet
from connectors.edi.x12.interchange import Interchange as X12Interchange

Envelope = X12Interchange | EdifactInterchange


@dataclass
class _Open:
    header: Segment
    groups: dict[str, tuple[Segment | None, list[TransactionSet | Message]]] = field(
        default_factory=dict
    )
    x12: TransactionSet | None = None
    edifact: Message | None = None


class Envelopes:
    """Told of each set or message as read (`seen`); then each interchange's skeleton, keyed
    as our acks are ("<sender>:<control>")."""

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}

    def seen(self, document: TransactionSet | Message) -> None:
        header = document.interchange
        key = key_of(document)
        group: Segment | None
        if isinstance(document, TransactionSet):
            group_key, group = document.group.get(6), document.group
            kept: TransactionSet | Message = TransactionSet(
                header, group, document.segments[:1], document.delimiters, document.position
            )
        else:
            group = document.group
            group_key = group.get(5) if group is not None else ""
            kept = Message(header, group, document.segments[:1], document.syntax,
                           document.position)  # fmt: skip
        opened = self._open.setdefault(key, _Open(header))
        opened.groups.setdefault(group_key, (group, []))[1].append(kept)
        if isinstance(kept, TransactionSet):
            opened.x12 = kept
        else:
            opened.edifact = kept

    def interchanges(self) -> list[tuple[str, Envelope]]:
        return [(key, _skeleton(opened)) for key, opened in self._open.items()]


def key_of(document: TransactionSet | Message) -> str:
    """Its interchange's key, as our acks are kept: "<sender>:<ISA13 | UNB 0020>"."""
    header = document.interchange
    if isinstance(document, TransactionSet):
        return f"{header.get(6).strip()}:{header.get(13)}"
    return f"{header.get(2, 1)}:{header.get(5)}"


def _skeleton(opened: _Open) -> Envelope:
    if opened.x12 is not None:
        groups = tuple(
            FunctionalGroup(
                header, tuple(each for each in sets if isinstance(each, TransactionSet)),
                Segment.of("GE", str(len(sets)), header.get(6)),
            )
            for header, sets in (_x12_group(h, s) for h, s in opened.groups.values())
        )  # fmt: skip
        trailer = Segment.of("IEA", str(len(groups)), opened.header.get(13))
        return X12Interchange(opened.header, (), groups, trailer, opened.x12.delimiters)
    assert opened.edifact is not None
    messages = [m for _, found in opened.groups.values() for m in found if isinstance(m, Message)]
    grouped = tuple(
        EdifactGroup(
            header, tuple(m for m in found if isinstance(m, Message)),
            Segment.of("UNE", str(len(found)), header.get(5)),
        )
        for header, found in opened.groups.values()
        if header is not None
    )  # fmt: skip
    loose = () if grouped else tuple(messages)
    trailer = Segment.of("UNZ", str(len(grouped) or len(loose)), opened.header.get(5))
    return EdifactInterchange(False, opened.header, grouped, loose, trailer, opened.edifact.syntax)


def _x12_group(
    header: Segment | None, sets: list[TransactionSet | Message]
) -> tuple[Segment, list[TransactionSet | Message]]:
    assert header is not None  # X12 sets always come in a GS group
    return header, sets
