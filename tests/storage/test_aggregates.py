"""A first event built directly, and the aggregate from it, are what the library builds."""

from __future__ import annotations

from given import envelope, lines

from domain.purchase_order import PurchaseOrder
from storage.aggregates import FAST


def test_a_release_builds_the_aggregate_the_librarys_mutate_builds_from_its_event() -> None:
    released = PurchaseOrder.release("4500000042", "SUP-1", "EUR", lines(3), envelope(), FAST)
    (event,) = released.pending_events

    by_library = event.mutate(None)

    assert isinstance(by_library, PurchaseOrder)
    assert list(vars(released)) == list(vars(by_library))  # same attributes, same order
    assert {**vars(released), "_pending_events": []} == vars(by_library)
    assert (released.id, released.version) == (PurchaseOrder.create_id("4500000042"), 1)
    assert released.revision == 1 and tuple(released.lines.values()) == event.lines
