"""What the X12 reader yields: transaction sets as they complete, or whole interchanges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connectors.edi.segment import Segment
from connectors.edi.x12.delimiters import Delimiters


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE set with the envelope it came in; ``position`` is its ST's segment
    number in the interchange."""

    interchange: Segment
    group: Segment
    segments: tuple[Segment, ...]
    delimiters: Delimiters
    position: int

    @property
    def code(self) -> str:
        """ST01: 850, 855, 997, ..."""
        return self.segments[0].get(1)

    @property
    def control(self) -> str:
        """ST02."""
        return self.segments[0].get(2)

    @property
    def version(self) -> str:
        """GS08: the version the set is written in (``004010``, ``005010X222A1``)."""
        return self.group.get(8)


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    header: Segment
    sets: tuple[TransactionSet, ...]
    trailer: Segment

    def segments(self) -> Iterator[Segment]:
        yield self.header
        for transaction_set in self.sets:
            yield from transaction_set.segments
        yield self.trailer


@dataclass(frozen=True, slots=True)
class Interchange:
    """ISA..IEA, checked: counts and control numbers agree.  ``acknowledgments`` holds any
    TA1 segments between the ISA and the first GS."""

    header: Segment
    acknowledgments: tuple[Segment, ...]
    groups: tuple[FunctionalGroup, ...]
    trailer: Segment
    delimiters: Delimiters

    @property
    def control(self) -> str:
        return self.header.get(13)

    def segments(self) -> Iterator[Segment]:
        yield self.header
        yield from self.acknowledgments
        for group in self.groups:
            yield from group.segments()
        yield self.trailer
