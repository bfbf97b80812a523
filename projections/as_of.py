"""A purchase order as of a revision or a time: the one place that says which of its events
an auditor's point covers. REST and `supplyhub history` read the order's state there, the
audit trail's time travel its view, so "as of" means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.purchase_order import PurchaseOrder, version_at_revision
from domain.unit_of_work import replay
from projections.read_models import PurchaseOrderView
from projections.views.purchase_orders import purchase_orders


class DocumentLog(Protocol):
    """Where a document's events are read (the hub)."""

    def history(self, aggregate_id: UUID) -> Sequence[Any]: ...


@dataclass(frozen=True)
class AsOf:
    """A purchase order's events, cut at a point: `covered` are those the point covers."""

    events: tuple[Any, ...]  # every event of the order, oldest first (none: never heard of)
    covered: tuple[Any, ...]
    revision_missing: bool  # the revision asked for never existed: nothing is covered

    @property
    def version(self) -> int | None:
        """The order's last version at the point; None if it did not exist yet."""
        return self.covered[-1].originator_version if self.covered else None

    def state(self) -> PurchaseOrder | None:
        """The order itself at the point: the covered events folded as the hub folds them
        (already read: the log is not asked again)."""
        found = replay(None, self.covered)
        return found if isinstance(found, PurchaseOrder) else None

    def view(self) -> PurchaseOrderView | None:
        """The purchase order view at the point: the view's own evolve functions folded
        over the covered events, so "as of" and "now" are computed the same way."""
        view: Any = None
        for event in self.covered:
            for evolver in purchase_orders.evolvers_for(get_topic(type(event))):
                for _key, ref in evolver.keys(event, lambda key: None):
                    view = evolver.evolve(view, event, ref) or view
        return view if isinstance(view, PurchaseOrderView) else None


def purchase_order_as_of(
    log: DocumentLog, number: str, *, revision: int | None = None, at: datetime | None = None
) -> AsOf:
    """The order's events up to the last state of `revision` (before the ERP moved past it)
    and as recorded by `at`; both may be given, neither means now."""
    events = tuple(log.history(PurchaseOrder.create_id(number)))
    last_version = None if revision is None else version_at_revision(events, revision)
    if revision is not None and last_version is None:
        return AsOf(events, (), revision_missing=True)
    covered = []
    for event in events:
        if at is not None and event.timestamp > at:
            break
        if last_version is not None and event.originator_version > last_version:
            break
        covered.append(event)
    return AsOf(events, tuple(covered), revision_missing=False)
