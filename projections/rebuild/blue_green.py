"""Blue/green rebuild: build a new version of one view beside the live one, switch reads to
it atomically once it has caught up, then drop the old version.

A large rebuild on PostgreSQL may be split between processes (`parts`): one Python process
spends the GIL on evolving and decoding, with a core left idle. Each part builds the rows of
its share of the documents up to the head as it was when the rebuild began; then this
process sets the version's position there and catches up the rest alone, as before."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.projection import Processor, Projection
from projections.rebuild.builder import VersionBuilder
from projections.rebuild.parts import ProjectionPart, Segment, segments
from projections.stores.view_store import SqlViewStore
from storage.gc_pause import collect_now_and_then, gc_paused

Progress = Callable[[int, int], None]  # (position reached, log head when it started)
# What another process does not build while it starts (imports, about 0.7 s): the part
# built here, which starts at once, takes that many more events' documents.
PART_START_EVENTS = 15_000


class Helper(Protocol):
    """A part of a rebuild that runs elsewhere (another process)."""

    def join(self) -> None:
        """Wait until the part has written all its rows; raise if it failed."""

    def stop(self) -> None:
        """Stop it now: the rebuild failed, its version is about to be dropped."""


# Starts part `segment` of building `version` up to log position `until`, elsewhere.
Launch = Callable[[Segment, int, int], Helper]


def rebuild(
    recorder: ApplicationRecorder,
    decode: Callable[[Notification], Any],
    store: SqlViewStore,
    processor: Processor,
    progress: Progress | None = None,
    batch_size: int = 5000,
    *,
    parts: int = 1,
    launch: Launch | None = None,
) -> int:
    """Rebuild `processor`'s view from position 0; return the new live version.

    With `parts` > 1 the log up to its current head is built by that many processes: this
    one and `parts - 1` started by `launch`."""
    old = [t.version for t in store.tracking() if t.name == processor.name]
    version = store.new_version(processor)
    head = recorder.max_notification_id() or 0
    try:
        # The collector stays off for the whole rebuild, not just each batch: re-enabled
        # between batches it ran at once, walking the next batch already read ahead (12 %
        # of the rebuild's main thread). Garbage cycles are collected every
        # 200th batch (`collect_now_and_then`).
        with gc_paused():
            if parts > 1 and head > 0:
                _build_in_parts(recorder, decode, store, processor, version, head, parts,
                                launch, progress, batch_size)  # fmt: skip
            builder = VersionBuilder(
                recorder, decode, store, processor, version, batch_size=batch_size
            )
            for batch in itertools.count(1):
                builder.run_batch()
                if progress is not None:
                    progress(builder.position(), head)
                if builder.promoted:
                    break
                collect_now_and_then(batch)
    except BaseException:
        store.drop_version(processor.name, version)  # the live version never stopped serving
        raise
    for stale in old:
        store.drop_version(processor.name, stale)
    return version


def build_part(
    recorder: ApplicationRecorder,
    decode: Callable[[Notification], Any],
    store: SqlViewStore,
    part: ProjectionPart,
    version: int,
    until: int,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> None:
    """Write one part's rows of `version` for the log up to `until` (no position: the
    rebuild sets it once every part is done)."""
    builder = VersionBuilder(
        recorder, decode, store, part, version, batch_size=batch_size, until=until
    )
    with gc_paused():
        for batch in itertools.count(1):
            builder.run_batch()
            if progress is not None:
                progress(builder.built_to, until)
            if builder.at_head:
                return
            collect_now_and_then(batch)


def _build_in_parts(
    recorder: ApplicationRecorder,
    decode: Callable[[Notification], Any],
    store: SqlViewStore,
    processor: Processor,
    version: int,
    until: int,
    parts: int,
    launch: Launch | None,
    progress: Progress | None,
    batch_size: int,
) -> None:
    if not isinstance(processor, Projection) or not processor.split_by or launch is None:
        raise ValueError(f"{processor.name} cannot be rebuilt in parts")
    first = min(0.9, (until + PART_START_EVENTS * (parts - 1)) / parts / until)
    own, *others = segments(parts, first)
    helpers: list[Helper] = []
    try:
        for segment in others:
            helpers.append(launch(segment, version, until))
        own_part = ProjectionPart(processor, own)
        build_part(recorder, decode, store, own_part, version, until, batch_size, progress)
        for helper in helpers:
            helper.join()
    except BaseException:
        for helper in helpers:
            helper.stop()
        raise
    with store.transaction() as session:
        session.advance(processor.name, version, until)
