"""Pausing Python's cyclic garbage collector around work that allocates many objects which
all live until the work ends: a projection batch, a batch of a bulk import.

The collector's young generations fill every few hundred allocations; each collection
walks the survivors again, and they all survive until the batch ends. That was a fifth of a
rebuild's time and a third of deciding an import batch. What these batches leave behind
is freed by reference counting; the collector runs again when the last pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block. Counted, so overlapping pauses in several
    threads restore the collector's state once, when the last one ends."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


# A long pause (a whole import or rebuild) still frees garbage cycles now and then. Not
# every few batches: a full collection took 0.1-0.2 s in the middle of an import, and freed
# nothing.
COLLECT_EVERY = 200  # batches


def collect_now_and_then(batch: int) -> None:
    """Inside a pause spanning many batches: collect cycles every `COLLECT_EVERY`th batch."""
    if batch % COLLECT_EVERY == 0:
        gc.collect()


def freeze_long_lived() -> None:
    """Move every object alive now (modules, the schema, the stores, whatever start-up built)
    out of the collector's reach: a full collection then walks only what requests made
    since. Called once a server is built, before it takes requests. On a log of 200,000
    events the API's uncached pages waited 100-350 ms on full collections walking start-up's
    objects (their p99); frozen, 5-65 ms. Garbage present now is collected first."""
    gc.collect()
    gc.freeze()
