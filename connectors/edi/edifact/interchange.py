"""What the EDIFACT reader yields: messages as they complete, or whole interchanges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connectors.edi.edifact.syntax import Syntax
from connectors.edi.segment import Segment


@dataclass(frozen=True, slots=True)
class Message:
    """One UNH..UNT message with its envelope; ``position`` is its UNH's segment number in
    the interchange (UNB is 1)."""

    interchange: Segment
    group: Segment | None
    segments: tuple[Segment, ...]
    syntax: Syntax
    position: int

    @property
    def type(self) -> str:
        """UNH S009 0065: ORDERS, DESADV, ..."""
        return self.segments[0].get(2, 1)

    @property
    def version(self) -> str:
        """UNH S009 0052:0054 as written, e.g. ``D:96A``."""
        header = self.segments[0]
        return f"{header.get(2, 2)}:{header.get(2, 3)}"

    @property
    def reference(self) -> str:
        """UNH 0062."""
        return self.segments[0].get(1)


@dataclass(frozen=True, slots=True)
class Group:
    header: Segment
    messages: tuple[Message, ...]
    trailer: Segment

    def segments(self) -> Iterator[Segment]:
        yield self.header
        for message in self.messages:
            yield from message.segments
        yield self.trailer


@dataclass(frozen=True, slots=True)
class Interchange:
    """UNB..UNZ, checked.  Either ``groups`` or ``messages`` is empty: ISO 9735 allows an
    interchange of groups or of messages, not both.  ``una`` says whether a UNA came first."""

    una: bool
    header: Segment
    groups: tuple[Group, ...]
    messages: tuple[Message, ...]
    trailer: Segment
    syntax: Syntax

    @property
    def reference(self) -> str:
        """UNB 0020."""
        return self.header.get(5)

    def segments(self) -> Iterator[Segment]:
        yield self.header
        for group in self.groups:
            yield from group.segments()
        for message in self.messages:
            yield from message.segments
        yield self.trailer
