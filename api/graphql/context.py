"""The typed context every resolver receives: who asks, and what it may read and write."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.auth import Principal
from api.envelope import Envelope
from domain.application import SupplyHub
from projections.read_models import (
    CaseCommentView,
    ExceptionView,
    PurchaseOrderView,
    ReadModels,
)

if TYPE_CHECKING:
    from api.graphql.live import LiveFeed
from projections.store_faults import StoreFault


@dataclass
class RequestContext:
    """One GraphQL request's context (the domain's use cases have their own `Context`)."""

    principal: Principal
    read_models: ReadModels
    hub: SupplyHub
    envelope: Envelope
    max_page_size: int
    record_outcome: Callable[[str, str], None]
    note_fault: Callable[[StoreFault], None] = lambda fault: None  # for /readyz
    # A supplier's user opened an order by its number (api/portal_views.py records it).
    note_view: Callable[[PurchaseOrderView, Envelope], None] = lambda po, envelope: None
    # Over a WebSocket (graphql-transport-ws): the feed subscriptions read, and the
    # `connection_init` payload the principal was taken from.
    live: LiveFeed | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)
    purchase_orders: DataLoader[str, PurchaseOrderView | None] = field(init=False)
    # The order each case of a page concerns, by (case key, document): one read a page.
    case_orders: DataLoader[tuple[str, str], PurchaseOrderView | None] = field(init=False)
    # The comments of each case a page asks them of, by case key: one read a page.
    case_comments: DataLoader[str, tuple[CaseCommentView, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.purchase_orders = DataLoader(load_fn=self._load_purchase_orders)
        self.case_orders = DataLoader(load_fn=self._load_case_orders)
        self.case_comments = DataLoader(load_fn=self._load_case_comments)

    def prime_case_orders(
        self, cases: Iterable[ExceptionView], orders: dict[str, PurchaseOrderView]
    ) -> None:
        """Orders already read for these cases (by the plant filter): not read again."""
        self.case_orders.prime_many({(c.key, c.document): orders.get(c.key) for c in cases})

    async def _load_case_orders(
        self, cases: list[tuple[str, str]]
    ) -> list[PurchaseOrderView | None]:
        orders = self.read_models.cases_orders(cases, self.principal.scope)
        return [orders.get(key) for key, _ in cases]

    async def _load_case_comments(self, keys: list[str]) -> list[tuple[CaseCommentView, ...]]:
        found = await run_in_threadpool(self.read_models.case_comments, keys)
        return [found.get(key, ()) for key in keys]

    async def _load_purchase_orders(self, numbers: list[str]) -> list[PurchaseOrderView | None]:
        # One pass for every PO a list of exceptions points at, in the caller's scope.
        scope = self.principal.scope
        return [self.read_models.purchase_order(number, scope) for number in numbers]


Info = StrawberryInfo[RequestContext, Any]
