"""The lines of a purchase order view: built from the order's lines, and their commitment
against the need-by date worked out again whenever a fact about them changes."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.order_line import LineQuantity, OrderLine
from projections.read_models import LineView, PurchaseOrderView, RevisionView, ShipmentView
from storage.view_codec import built, evolved

_ZERO = Decimal(0)


def new_line(line: OrderLine) -> LineView:
    return built(
        LineView,
        line_number=line.line_number,
        item=line.item,
        description=line.description,
        uom=line.uom,
        ship_to=line.ship_to,
        ordered_quantity=line.quantity,
        unit_price=line.unit_price,
        need_by=line.need_by,
        ack_status="pending",
        ack_source_code="",
        confirmed_quantity=None,
        confirmed_date=None,
        shipped_quantity=_ZERO,
        received_quantity=_ZERO,
        invoiced_quantity=_ZERO,
        commitment="unconfirmed",
    )


def revision_view(
    number: int, event: Any, before: Iterable[LineView], after: Iterable[OrderLine]
) -> RevisionView:
    old = {line.line_number: line for line in before}
    new = {line.line_number: line for line in after}
    changed = tuple(
        n
        for n, line in new.items()
        if n in old
        and (old[n].ordered_quantity, old[n].unit_price, old[n].need_by, old[n].item)
        != (line.quantity, line.unit_price, line.need_by, line.item)
    )
    prov = event.provenance
    return built(
        RevisionView, revision=number, recorded_at=prov.at, actor=prov.actor,
        channel=prov.channel.value, lines_added=tuple(n for n in new if n not in old),
        lines_removed=tuple(n for n in old if n not in new), lines_changed=changed,
    )  # fmt: skip


def committed(line: LineView, shipments: tuple[ShipmentView, ...], **changes: Any) -> LineView:
    """The line with `changes`, and its commitment against the need-by date from facts alone
    (no clock); built once, as a line is the view's most rebuilt value."""
    f = {**line.__dict__, **changes} if changes else line.__dict__
    need_by = f["need_by"]
    if f["ack_status"] == "rejected":
        commitment = "rejected"
    elif f["received_quantity"] >= f["ordered_quantity"]:
        commitment = "received"
    elif f["confirmed_date"] is None:
        commitment = "unconfirmed"
    elif f["confirmed_date"] > need_by:
        commitment = "late"
    elif any(
        s.expected_delivery > need_by and s.status not in ("cancelled", "replaced")
        for s in shipments
        if any(q[1] == f["line_number"] for q in s.quantities)
    ):
        commitment = "at_risk"
    else:
        commitment = "confirmed"
    if not changes and commitment == line.commitment:
        return line
    return evolved(line, **changes, commitment=commitment)


def confirmed(
    view: PurchaseOrderView, number: int, quantity: Decimal | None, need_by: Any
) -> tuple[LineView, ...]:
    lines = []
    for line in view.lines:
        if line.line_number != number:
            lines.append(committed(line, view.shipments))
            continue
        lines.append(
            committed(
                line,
                view.shipments,
                confirmed_quantity=quantity if quantity is not None else line.confirmed_quantity,
                confirmed_date=need_by if need_by is not None else line.confirmed_date,
            )
        )
    return tuple(lines)


def added(
    view: PurchaseOrderView, quantities: tuple[LineQuantity, ...], field: str
) -> tuple[LineView, ...]:
    added = {q.line_number: q.quantity for q in quantities}
    return tuple(
        committed(line, view.shipments, **{field: getattr(line, field) + added[line.line_number]})
        if line.line_number in added
        else line
        for line in view.lines
    )
