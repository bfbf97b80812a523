"""One pull from Tryton into the hub: read what changed, translate, apply, advance the cursor.

A thin loop with no state of its own: the caller keeps the cursor (the ERP worker of issue
15 will store it). A refusal by the hub stops the pull and keeps the old cursor, so nothing
is skipped; what was applied before it is a replay next time, writing nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.erp.hub import Clock, HubOrdersOf, apply
from connectors.erp.seam import ErpDataError
from connectors.erp.tryton.reader import TrytonChanges, TrytonCursor
from connectors.erp.tryton.rpc import TrytonClient
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.outcome import Outcome


@dataclass(frozen=True)
class PullReport:
    cursor: TrytonCursor
    outcomes: Sequence[Outcome] = ()
    failed: Sequence[ErpDataError] = ()
    refused: DomainError | None = None
    changed: Sequence[str] = field(default_factory=tuple)  # documents actually written


def actor_of(client: TrytonClient) -> str:
    """The namespace of this adapter's idempotency keys: one per Tryton database."""
    return f"tryton:{client.database}"


def _now() -> datetime:
    return datetime.now(UTC)


def pull_once(
    client: TrytonClient, hub: SupplyHub, cursor: TrytonCursor, clock: Clock = _now
) -> PullReport:
    changes = TrytonChanges(client).purchase_orders(cursor, HubOrdersOf(hub))
    try:
        outcomes = apply(hub, changes.messages, actor_of(client), clock)
    except DomainError as refused:
        return PullReport(cursor, failed=changes.failed, refused=refused)
    changed = tuple(o.document for o in outcomes if not o.replayed and o.status != "unchanged")
    return PullReport(changes.cursor, outcomes, changes.failed, None, changed)
