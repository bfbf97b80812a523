"""Blue/green rebuild: build a new version of one view beside the live one, switch reads to
it atomically once it has caught up, then drop the old version."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.gc_pause import collect_now_and_then, gc_paused
from projections.projection import Processor
from projections.runner import ProjectionRunner
from projections.view_store import SqlViewStore

Progress = Callable[[int, int], None]  # (position reached, log head when it started)


def rebuild(
    recorder: ApplicationRecorder,
    decode: Callable[[Notification], Any],
    store: SqlViewStore,
    processor: Processor,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Rebuild `processor`'s view from position 0; return the new live version."""
    old = [t.version for t in store.tracking() if t.name == processor.name]
    version = store.new_version(processor)
    runner = ProjectionRunner(
        recorder, decode, store, [processor], batch_size=batch_size, building=version
    )
    head = recorder.max_notification_id() or 0
    try:
        # The collector stays off for the whole rebuild, not just each batch: re-enabled
        # between batches it ran at once, walking the next batch already read ahead (12 %
        # of the rebuild's main thread). Garbage cycles are collected every
        # 200th batch (`collect_now_and_then`).
        with gc_paused():
            for batch in itertools.count(1):
                runner.run_batch()
                if progress is not None:
                    progress(runner.position(), head)
                if runner.promoted:
                    break
                collect_now_and_then(batch)
    except BaseException:
        store.drop_version(processor.name, version)  # the live version never stopped serving
        raise
    for stale in old:
        store.drop_version(processor.name, stale)
    return version
