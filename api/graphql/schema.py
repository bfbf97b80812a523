"""The portal schema: queries over the read models, mutations that become canonical commands."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import partial
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext
from strawberry.types.nodes import SelectedField

from api.auth import Role
from api.envelope import require_key
from api.graphql import inputs
from api.graphql.context import Info, RequestContext
from api.graphql.fast_path import FastPath, FastPathExtension, RootAnswer
from api.graphql.results import CommandResult, Conflict, of_error, of_outcome
from api.graphql.scalars import OVERRIDES
from api.graphql.subscriptions import Subscription
from api.graphql.types import (
    CaseCategory,
    CaseStatus,
    ExceptionCase,
    ExceptionCasePage,
    OwnerRole,
    PurchaseOrder,
    PurchaseOrderPage,
    SupplierKpis,
)
from api.graphql.visibility import case_for, may_call, outcome_for
from domain.commands import Command
from domain.errors import DomainError, ForbiddenError, ValidationError
from projections.read_models import (
    CaseFilter,
    ExceptionView,
    PurchaseOrderFilter,
    PurchaseOrderView,
    case_place,
)
from projections.store_faults import FAULT_TYPES, store_fault

log = logging.getLogger(__name__)


async def find_purchase_orders(
    context: RequestContext,
    *,
    status: str | None = None,
    needs_action: bool | None = None,
    released_from: datetime | None = None,
    released_to: datetime | None = None,
    ack_overdue: bool | None = None,
    asn_missing: bool | None = None,
    first: int,
    after: str | None = None,
) -> PurchaseOrderPage:
    """The caller's page of POs: scoping, the page-size rule and filtering live only here,
    shared by the resolver and the fast path (the GraphQL default of `first` comes in)."""
    may_call("Query.purchaseOrders", context.principal)
    if not 1 <= first <= context.max_page_size:
        raise ValidationError("first", f"must be between 1 and {context.max_page_size}")
    for name, flag in (("ackOverdue", ack_overdue), ("asnMissing", asn_missing)):
        if flag is False:
            raise ValidationError(name, "true keeps the overdue orders; leave it out for all")
    now = datetime.now(UTC) if ack_overdue or asn_missing else None  # "overdue" as of now
    # Read on the event loop, as the DataLoader reads single POs: one indexed page query, and
    # decoding holds the GIL in any thread. Under 32 concurrent requests a hop to the thread
    # pool cost ~0.8 ms of CPU per request in GIL handoffs, more than the read itself.
    wanted = PurchaseOrderFilter(
        status, needs_action, released_from, released_to,
        ack_overdue_at=now if ack_overdue else None, asn_missing_at=now if asn_missing else None,
    )  # fmt: skip
    found = context.read_models.purchase_orders(context.principal.scope, wanted, first, after)
    role = context.principal.role
    return PurchaseOrderPage(
        items=[PurchaseOrder.of(po, role) for po in found.items],
        end_cursor=found.end_cursor,
        has_next_page=found.has_next_page,
        counting=partial(context.read_models.count_orders, context.principal.scope, wanted),
    )


async def find_purchase_order(context: RequestContext, number: str) -> PurchaseOrder | None:
    """One PO in the caller's scope (another supplier's is None), batched by the DataLoader."""
    may_call("Query.purchaseOrder", context.principal)
    found = await context.purchase_orders.load(number)
    if found is None:
        return None
    context.note_view(found, context.envelope)  # a supplier's first look at this revision
    return PurchaseOrder.of(found, context.principal.role)


async def purchase_orders(
    info: Info,
    status: str | None = None,
    needs_action: bool | None = None,
    released_from: datetime | None = None,
    released_to: datetime | None = None,
    ack_overdue: Annotated[
        bool | None,
        strawberry.argument(
            description="true: only orders whose current revision is unacknowledged past its "
            "SLA (48 h after its release), as of the request: the late responses"
        ),
    ] = None,
    asn_missing: Annotated[
        bool | None,
        strawberry.argument(
            description="true: only open orders with a line that has no ASN 2 days before its "
            "need-by date, as of the request: the ASNs missing past cutoff"
        ),
    ] = None,
    first: int = 20,
    after: str | None = None,
) -> PurchaseOrderPage:
    return await find_purchase_orders(
        info.context, status=status, needs_action=needs_action, released_from=released_from,
        released_to=released_to, ack_overdue=ack_overdue, asn_missing=asn_missing, first=first,
        after=after,
    )  # fmt: skip


async def purchase_order(info: Info, number: str) -> PurchaseOrder | None:
    return await find_purchase_order(info.context, number)


# The root resolvers the fast path may answer, each with the plain function it delegates to.
FAST_ROOTS: dict[Callable[..., Any], RootAnswer] = {
    purchase_orders: find_purchase_orders,
    purchase_order: find_purchase_order,
}


async def exceptions(
    info: Info,
    status: CaseStatus | None = CaseStatus.open,
    owner_role: OwnerRole | None = None,
    category: CaseCategory | None = None,
    owner: str | None = None,
    supplier: str | None = None,
    plant: str | None = None,
    older_than_hours: float | None = None,
    breached: bool | None = None,
    first: int = 20,
    after: str | None = None,
) -> ExceptionCasePage:
    context, role = info.context, info.context.principal.role
    may_call("Query.exceptions", context.principal)
    if not 1 <= first <= context.max_page_size:
        raise ValidationError("first", f"must be between 1 and {context.max_page_size}")
    mark = None if after is None else _unplace(after)
    wanted = case_filter(context, status, owner_role, category, owner, supplier,
                         older_than_hours, breached)  # fmt: skip
    if wanted is None:  # a supplier naming another supplier: none of its cases
        return ExceptionCasePage(items=[], end_cursor=None, has_next_page=False)
    found, orders = await run_in_threadpool(_visible_cases, context, wanted, plant, first, mark)
    more = len(found) > first
    page = found[:first]
    # The page's orders in one read before its items ask (the plant filter read them already),
    # so each item's `purchaseOrder` finds its order primed, however its resolvers are scheduled.
    if plant is None and _selects_order(info):
        pairs = [(case.key, case.document) for case in page]
        scope = context.principal.scope
        orders = await run_in_threadpool(context.read_models.cases_orders, pairs, scope)
        context.prime_case_orders(page, orders)
    elif plant is not None:
        context.prime_case_orders(page, orders)
    counted = plant is None and role is not Role.SUPPLIER  # a supplier's are filtered after
    counting = partial(context.read_models.count_cases, wanted) if counted else None
    return ExceptionCasePage(
        items=[ExceptionCase.of(case, role) for case in page],
        end_cursor=_cursor(case_place(page[-1])) if page and more else None,
        has_next_page=more,
        counting=counting,
    )


def case_filter(
    context: RequestContext, status: CaseStatus | None, owner_role: OwnerRole | None,
    category: CaseCategory | None, owner: str | None, supplier: str | None,
    older_than_hours: float | None, breached: bool | None,
) -> CaseFilter | None:  # fmt: skip
    """The queue's filters as the store applies them, in the caller's scope (None: a
    supplier asked for another's cases). `breached` is as of now: true, the open cases past
    their due time; false, the open cases not yet due."""
    scope = context.principal.scope
    if scope is not None and supplier not in (None, scope):
        return None
    if older_than_hours is not None and older_than_hours < 0:
        raise ValidationError("olderThanHours", "must be 0 or more")
    now = datetime.now(UTC)
    opened_before = None if older_than_hours is None else now - timedelta(hours=older_than_hours)
    return CaseFilter(
        supplier=scope or supplier,
        status="open" if breached is not None else _value(status),
        owner_role=_value(owner_role),
        category=_value(category),
        owner=owner,
        opened_before=opened_before,
        due_before=now if breached else None,
        due_from=now if breached is False else None,
    )


def _visible_cases(
    context: RequestContext, wanted: CaseFilter, plant: str | None, first: int,
    mark: tuple[str, str] | None,
) -> tuple[list[ExceptionView], dict[str, PurchaseOrderView]]:  # fmt: skip
    """Up to ``first`` + 1 cases the role may see, in queue order after ``mark``: filtered
    and paged in the store, and paged again after the visibility filter (so a supplier's
    pages are full) and the plant (the ship-to plants of the case's order, read with the
    page's orders in one read, which `purchaseOrder` then answers from)."""
    read, role = context.read_models, context.principal.role
    seen: list[ExceptionView] = []
    orders: dict[str, PurchaseOrderView] = {}
    while len(seen) <= first:
        batch = read.exceptions_page(wanted, first + 1, mark)
        shown = [c for c in (case_for(case, role) for case in batch) if c is not None]
        if plant is not None:
            pairs = [(c.key, c.document) for c in shown]
            orders.update(read.cases_orders(pairs, context.principal.scope))
            shown = [c for c in shown if c.key in orders and _ships_to(orders[c.key], plant)]
        seen += shown
        if len(batch) <= first:
            break
        mark = case_place(batch[-1])
    return seen, orders


def _selects_order(info: Info) -> bool:
    """Whether the query asks the items' `purchaseOrder` (or may: behind a fragment)."""
    for root in info.selected_fields:
        for items in root.selections:
            if not isinstance(items, SelectedField):
                return True
            if items.name == "items" and any(
                not isinstance(field, SelectedField) or field.name == "purchaseOrder"
                for field in items.selections
            ):
                return True
    return False


def _ships_to(po: PurchaseOrderView, plant: str) -> bool:
    return any(line.ship_to == plant for line in po.lines)


def _cursor(place: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(place).encode()).decode()


def _unplace(cursor: str) -> tuple[str, str]:
    try:  # strict, as purchaseOrders' cursors: garbage is refused, never a first page
        place = json.loads(base64.b64decode(cursor, altchars=b"-_", validate=True))
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError
        place = None
    if not (isinstance(place, list) and len(place) == 2 and all(isinstance(p, str) for p in place)):
        raise ValidationError("after", "is not a cursor this API gave out: pass an endCursor")
    return (place[0], place[1])


def _value(chosen: Enum | None) -> str | None:
    return None if chosen is None else str(chosen.value)


async def exception_case(info: Info, key: str) -> ExceptionCase | None:
    """One case as `exceptions` would show it to the caller; null when unknown or not one
    the caller may see (another supplier's, or AP's)."""
    context, role = info.context, info.context.principal.role
    may_call("Query.exceptionCase", context.principal)
    found = await run_in_threadpool(context.read_models.exception_case, key)
    if found is None or context.principal.scope not in (None, found.supplier):
        return None
    seen = case_for(found, role)
    return None if seen is None else ExceptionCase.of(seen, role)


async def kpis(info: Info) -> list[SupplierKpis]:
    context = info.context
    may_call("Query.kpis", context.principal)
    found = await run_in_threadpool(context.read_models.kpis, context.principal.scope)
    return [SupplierKpis.of(k, context.principal.role) for k in found]


@strawberry.type
class Query:
    purchase_orders: PurchaseOrderPage = strawberry.field(
        resolver=purchase_orders,
        description="The caller's purchase orders (a supplier's own only); cursor paged.",
    )
    purchase_order: PurchaseOrder | None = strawberry.field(
        resolver=purchase_order, description="One purchase order with its history of answers."
    )
    exceptions: ExceptionCasePage = strawberry.field(
        resolver=exceptions,
        description="Exception cases, oldest first; a supplier sees only its own; cursor paged.",
    )
    exception_case: ExceptionCase | None = strawberry.field(
        resolver=exception_case,
        description="One exception case by its key (its comments, say); null if not yours.",
    )
    kpis: list[SupplierKpis] = strawberry.field(
        resolver=kpis, description="Supplier KPIs; a supplier sees only its own."
    )


async def _handle(
    info: Info, root: str, idempotency_key: str, build: Callable[[], Command]
) -> CommandResult:
    """Check the role, build the canonical command, let the hub decide; refusals are values."""
    context, name = info.context, "unparsed"
    try:
        may_call(root, context.principal)
        if context.live is not None:
            # A socket's envelope was made when it signed in: its time is not this message's.
            raise ForbiddenError("send mutations over POST /graphql, not the WebSocket")
        message_id = require_key(idempotency_key, "idempotencyKey")
        command = build()
        name = type(command).__name__
        provenance = context.envelope.provenance(message_id)
        outcome = await run_in_threadpool(context.hub.handle, command, provenance)
    except DomainError as error:
        context.record_outcome(name, error.code)
        return of_error(error)
    except FAULT_TYPES as error:
        if (fault := store_fault(error)) is None:
            raise
        # The operator reads the reason in the log; a portal user is told to come back.
        log.error("store fault on %s: %s", name, fault.reason)
        context.record_outcome(name, "unavailable")
        context.note_fault(fault)
        return Conflict(code="unavailable", detail=fault.public)
    context.record_outcome(name, outcome.status)
    return of_outcome(outcome_for(outcome, context.principal.role))


async def acknowledge_purchase_order(
    info: Info, idempotency_key: str, input: inputs.AcknowledgementInput
) -> CommandResult:
    return await _handle(info, "Mutation.acknowledgePurchaseOrder", idempotency_key, input.command)


async def propose_change(
    info: Info, idempotency_key: str, input: inputs.ChangeProposalInput
) -> CommandResult:
    return await _handle(info, "Mutation.proposeChange", idempotency_key, input.command)


async def submit_ship_notice(
    info: Info, idempotency_key: str, input: inputs.ShipNoticeInput
) -> CommandResult:
    build = partial(input.command, info.context.principal.supplier)
    return await _handle(info, "Mutation.submitShipNotice", idempotency_key, build)


async def submit_invoice(
    info: Info, idempotency_key: str, input: inputs.InvoiceInput
) -> CommandResult:
    build = partial(input.command, info.context.principal.supplier)
    return await _handle(info, "Mutation.submitInvoice", idempotency_key, build)


async def assign_exception(
    info: Info, idempotency_key: str, input: inputs.ExceptionAssignmentInput
) -> CommandResult:
    return await _handle(info, "Mutation.assignException", idempotency_key, input.command)


async def resolve_exception(
    info: Info, idempotency_key: str, input: inputs.ExceptionResolutionInput
) -> CommandResult:
    return await _handle(info, "Mutation.resolveException", idempotency_key, input.command)


async def comment_on_exception(
    info: Info, idempotency_key: str, input: inputs.ExceptionCommentInput
) -> CommandResult:
    return await _handle(info, "Mutation.commentOnException", idempotency_key, input.command)


async def approve_change(
    info: Info, idempotency_key: str, input: inputs.ChangeDecisionInput
) -> CommandResult:
    return await _handle(info, "Mutation.approveChange", idempotency_key, input.approval)


async def reject_change(
    info: Info, idempotency_key: str, input: inputs.ChangeDecisionInput
) -> CommandResult:
    return await _handle(info, "Mutation.rejectChange", idempotency_key, input.rejection)


@strawberry.type
class Mutation:
    acknowledge_purchase_order: CommandResult = strawberry.mutation(
        resolver=acknowledge_purchase_order,
        description="Answer each line of the revision you name (portal codes).",
    )
    propose_change: CommandResult = strawberry.mutation(
        resolver=propose_change, description="Propose a date, quantity or split for one line."
    )
    submit_ship_notice: CommandResult = strawberry.mutation(
        resolver=submit_ship_notice, description="An advance ship notice for one or more POs."
    )
    submit_invoice: CommandResult = strawberry.mutation(
        resolver=submit_invoice, description="An invoice against a PO; AP matches it."
    )
    assign_exception: CommandResult = strawberry.mutation(
        resolver=assign_exception, description="Name who works an open exception case."
    )
    resolve_exception: CommandResult = strawberry.mutation(
        resolver=resolve_exception, description="Close an open exception case, saying how."
    )
    comment_on_exception: CommandResult = strawberry.mutation(
        resolver=comment_on_exception,
        description="Say something about an exception case, open or resolved (kept with who).",
    )
    approve_change: CommandResult = strawberry.mutation(
        resolver=approve_change,
        description="The buyer accepts a supplier's change beyond tolerance (it reaches the ERP).",
    )
    reject_change: CommandResult = strawberry.mutation(
        resolver=reject_change, description="The buyer refuses a supplier's change, saying why."
    )


class PortalSchema(strawberry.Schema):
    # Set by build_schema when the fast path is on: its counters say how often it answered.
    fast_path: FastPath | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Refusals the caller caused (a page too large, a role not allowed) are answers,
        not server faults: log only the unexpected."""
        unexpected = [e for e in errors if not isinstance(e.original_error, DomainError | None)]
        super().process_errors(unexpected, execution_context)


def build_schema(
    max_depth: int = 8, max_tokens: int = 2000, max_aliases: int = 20, fast_path: bool = True
) -> PortalSchema:
    # The limiters' rule classes are made once: the validation cache is keyed by the rules,
    # so fresh classes per request would make every validation a miss.
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        # Portals send the same few documents over and over: parse and validate once
        # (the caches are shared per maxsize, across instances).
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    fast = FastPath(FAST_ROOTS) if fast_path else None
    if fast is not None:
        # Last, so it answers (or declines) only once parsing and validation have succeeded.
        extensions.append(partial(FastPathExtension, fast))
    schema = PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        scalar_overrides=OVERRIDES,
    )
    schema.fast_path = fast
    return schema
