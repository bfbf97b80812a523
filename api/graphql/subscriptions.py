"""GraphQL subscriptions (graphql-transport-ws on /graphql): each takes the live feed's changes
and keeps what the caller may see, by the same visibility table as the queries."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry

from api.auth import Role
from api.graphql.context import Info, RequestContext
from api.graphql.live import LiveFeed, cases_of, orders_of, timeline_of
from api.graphql.types import ExceptionCase, PurchaseOrder
from api.graphql.visibility import case_for, may_call, redacted
from domain.errors import ForbiddenError
from domain.purchase_order import PurchaseOrder as PurchaseOrderAggregate
from projections.read_models import AuditEntryView


@strawberry.enum(description="What happened to an exception case.")
class CaseChangeKind(Enum):
    opened = "opened"
    assigned = "assigned"
    resolved = "resolved"
    commented = "commented"


@strawberry.type(description="One entry of a document's timeline: an event and its provenance.")
class TimelineEntry:
    version: int
    event: str
    recorded_at: datetime
    actor: str | None = strawberry.field(description="Null for suppliers.")
    channel: str
    message_id: str
    correlation_id: str
    causation_id: str
    revision: int
    payload_ref: str

    @classmethod
    def of(cls, v: AuditEntryView, role: Role) -> TimelineEntry:
        return redacted(cls(
            version=v.version, event=v.event, recorded_at=v.recorded_at, actor=v.actor,
            channel=v.channel, message_id=v.message_id, correlation_id=v.correlation_id,
            causation_id=v.causation_id, revision=v.revision, payload_ref=v.payload_ref,
        ), role)  # fmt: skip


@strawberry.type(description="A case that was opened, assigned or resolved.")
class ExceptionQueueChange:
    change: CaseChangeKind
    case: ExceptionCase


def _caller(info: Info, field: str) -> tuple[RequestContext, str | None, Role]:
    """The context of a subscription the caller may make, with the caller's scope and role."""
    context = info.context
    may_call(f"Subscription.{field}", context.principal)
    return context, context.principal.scope, context.principal.role


def _feed(context: RequestContext) -> LiveFeed:
    if context.live is None:
        raise ForbiddenError("subscriptions are served over graphql-transport-ws only")
    return context.live


async def purchase_orders_needing_action(info: Info) -> AsyncGenerator[PurchaseOrder, None]:
    context, scope, role = _caller(info, "purchaseOrdersNeedingAction")
    async with _feed(context).subscribe(orders_of(scope)) as changes:
        while True:
            change = await changes.get()
            for view in change.purchase_orders:
                yield PurchaseOrder.of(view, role)


async def document_timeline(info: Info, number: str) -> AsyncGenerator[TimelineEntry, None]:
    context, _, role = _caller(info, "documentTimeline")
    if await context.purchase_orders.load(number) is None:
        # As `purchaseOrder(number)` answers null: another supplier's order is not named.
        raise ForbiddenError(f"purchase order {number!r} is not one this caller may see")
    document = str(PurchaseOrderAggregate.create_id(number))
    async with _feed(context).subscribe(timeline_of(document)) as changes:
        while True:
            change = await changes.get()
            for entry in change.timeline:
                yield TimelineEntry.of(entry, role)


async def exception_queue(info: Info) -> AsyncGenerator[ExceptionQueueChange, None]:
    context, scope, role = _caller(info, "exceptionQueue")
    async with _feed(context).subscribe(cases_of(scope)) as changes:
        while True:
            change = await changes.get()
            context.purchase_orders.clear_all()  # a case's order as it is now, not as cached
            for case_change in change.cases:
                seen = case_for(case_change.case, role)
                if case_change.kind == "commented" and role is Role.SUPPLIER:
                    continue  # comments are internal: a supplier is not told of one
                if seen is not None:
                    kind = CaseChangeKind(case_change.kind)
                    yield ExceptionQueueChange(change=kind, case=ExceptionCase.of(seen, role))


@strawberry.type
class Subscription:
    purchase_orders_needing_action: AsyncGenerator[PurchaseOrder, None] = strawberry.subscription(
        resolver=purchase_orders_needing_action,
        description="Each of the caller's purchase orders as it changes (a supplier's own "
        "only); `needsAction` says whether it awaits the supplier's answer.",
    )
    document_timeline: AsyncGenerator[TimelineEntry, None] = strawberry.subscription(
        resolver=document_timeline,
        description="A purchase order's timeline entries as they are appended: its own "
        "events and those of its shipments (ASNs), goods receipts and invoices (`event` says "
        "whose: `Shipment.Submitted`...).",
    )
    exception_queue: AsyncGenerator[ExceptionQueueChange, None] = strawberry.subscription(
        resolver=exception_queue,
        description="Exception cases as they are opened, assigned, resolved and commented on "
        "(a supplier's own only, as `exceptions` shows them, and never a comment).",
    )
