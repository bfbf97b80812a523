"""A rebuild split between processes: the segment of documents each part owns, and a
projection as one such part (it evolves its own documents and every shared row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from projections.projection import PartError, Projection, Rows
from projections.records import Record

_IDS = 1 << 32  # a document's part is decided by the last 32 bits of its id


@dataclass(frozen=True)
class Segment:
    """Part `index` of `count`: the documents whose id's last 32 bits (a name-based or
    random UUID's: evenly spread) are in [low, high). A document's row key ends with its
    id, so its part is known from the key or from its events' originator id alike, without
    formatting or parsing a UUID (that cost a part a twentieth of its time)."""

    index: int
    count: int
    low: int = 0
    high: int = _IDS

    def owns(self, key: str) -> bool:
        try:
            return self.low <= int(key[-8:], 16) < self.high
        except ValueError:
            raise PartError(f"{key!r}: a document's key must end with its UUID") from None

    def owns_id(self, document_id: UUID | str) -> bool:
        if isinstance(document_id, str):  # (the library allows string ids)
            return self.owns(document_id)
        return self.low <= document_id.int & 0xFFFFFFFF < self.high


def segments(count: int, first: float | None = None) -> list[Segment]:
    """`count` segments covering every document: the first takes the share `first` of
    them (default: an even share), the others share the rest evenly."""
    if count == 1:
        return [Segment(0, 1)]
    share = 1 / count if first is None else first
    rest = count - 1
    bounds = [0, *(round(_IDS * (share + (1 - share) * i / rest)) for i in range(rest + 1))]
    return [Segment(i, count, bounds[i], bounds[i + 1]) for i in range(count)]


class ProjectionPart:
    """One part of a projection's rebuild, for several processes building one new version.

    Each part evolves and writes the document rows (`split_by`) its segment owns, so it
    decodes only the events of its own documents, and the events of other documents that
    may reach them (an ASN's, say: its keys come from its payload). Rows that are not
    documents (links) are evolved by every part from the same events, so every part finds
    the same links; they are kept in memory for the whole rebuild, since the table holds
    only what part 0 wrote so far, and part 0 alone writes them. A key function looking up
    another part's document would diverge, so it fails the rebuild instead.
    """

    def __init__(self, projection: Projection, segment: Segment) -> None:
        if not projection.split_by:
            raise ValueError(f"{projection.name} names no documents to split a rebuild by")
        self.projection = projection
        self.segment = segment
        self.name = projection.name
        self.columns = projection.columns
        self.topics = projection.topics
        self.shared: dict[str, Any] = {}  # every link row so far, by key
        self._reach: dict[str, str] = {}  # per topic: "none", "document" or "every" part

    def needs(self, notification: Notification) -> bool:
        """Whether the event may touch a row of this part (else it is not even decoded)."""
        reach = self._reach.get(notification.topic) or self._reach_of(notification.topic)
        if reach == "document":
            return self.segment.owns_id(notification.originator_id)
        return reach == "every"

    def _reach_of(self, topic: str) -> str:
        evolvers = self.projection.evolvers_for(topic)
        documents = self.projection.split_by
        if not evolvers:
            reach = "none"
        elif all(h.own_prefix is not None and f"{h.own_prefix}:".startswith(documents)
                 for h in evolvers):  # fmt: skip
            reach = "document"  # its only row is its own document's
        else:
            reach = "every"  # its keys come from its payload, or it touches shared rows
        self._reach[topic] = reach
        return reach

    def elsewhere(self, key: str) -> bool:
        """Whether `key` is another part's document."""
        return key.startswith(self.projection.split_by) and not self.segment.owns(key)

    def keep_shared(self, dirty: set[str], views: dict[str, Any]) -> set[str]:
        """Keep the changed shared rows; return the changed rows this part writes."""
        documents = self.projection.split_by
        for key in dirty:
            if not key.startswith(documents):
                self.shared[key] = views[key]
        if self.segment.index == 0:
            return dirty
        return {key for key in dirty if key.startswith(documents)}

    def process(self, records: Sequence[Record], rows: Rows) -> int:
        return self.projection.process(records, rows, self)
