"""The exception queue: one row per business exception case, for buyers and AP to own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import domain.exception_case
from projections.projection import Column, Projection
from projections.read_models import ExceptionView
from storage import view_codec
from storage.view_codec import evolved

# The domain's `@event` decorators make most event classes at import: mypy cannot see them,
# so the aggregates are named here as Any (`PurchaseOrder.Revised` is still checked at import).
ExceptionCase: Any = domain.exception_case.ExceptionCase


def _row_columns(view: ExceptionView) -> tuple[Any, ...]:
    return (
        view.supplier, view.status, view.owner_role, view.category, utc(view.opened_at),
        view.owner, utc(view.due_at), view.document,
    )  # fmt: skip


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


exception_queue = Projection(
    name="exceptions",
    columns=(
        Column("supplier", indexed=True),
        Column("status", indexed=True),
        Column("owner_role"),
        Column("category", indexed=True),  # the console's work lists count per category
        Column("opened_at"),
        # The queue's other filters, applied in the store (a table made before them gets
        # them filled from its rows when the read side opens: `SqlViewStore.prepare`).
        Column("owner", indexed=True),  # the console's "Mine": one owner's cases
        Column("due_at"),
        Column("document", indexed=True),  # a trace's cases: those on its documents
    ),
    row_columns=_row_columns,
    split_by="exceptioncase:",
)
view_codec.register(ExceptionView)


@exception_queue.on(ExceptionCase.Opened, creates=True)
def opened(view: Any, event: Any, ref: str) -> ExceptionView:
    return ExceptionView(
        key=event.key,
        category=event.category,
        document=event.document,
        supplier=event.supplier,
        owner_role=event.owner_role,
        owner="",
        status="open",
        reason=event.reason,
        payload_ref=event.provenance.payload_ref,
        opened_at=event.provenance.at,
        due_at=event.due_at,
    )


@exception_queue.on(ExceptionCase.Assigned)
def assigned(view: ExceptionView, event: Any, ref: str) -> ExceptionView:
    return evolved(view, owner=event.owner)


@exception_queue.on(ExceptionCase.Resolved)
def resolved(view: ExceptionView, event: Any, ref: str) -> ExceptionView:
    return evolved(view, status="resolved")


# The count only: the texts are `case_comments`' rows, read when a query asks for them.
@exception_queue.on(ExceptionCase.Commented)
def commented(view: ExceptionView, event: Any, ref: str) -> ExceptionView:
    return evolved(view, comment_count=view.comment_count + 1)
