"""What changed between two versions of an order, line by line: what an 860 (X12) or an
ORDCHG (EDIFACT) says for a partner that takes changes rather than a replacement order.

Pure: the order as it stood before and after (both `OutboundOrder`) in, the changed lines out;
an unchanged line is left out. Each writer maps a `ChangeKind` to its standard's code list
(X12 670 in the POC, EDIFACT 1229 in the LIN).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.edi.order import OrderLine, OutboundOrder


class ChangeKind(StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    QUANTITY_INCREASED = "quantity_increased"
    QUANTITY_DECREASED = "quantity_decreased"
    PRICE_CHANGED = "price_changed"
    RESCHEDULED = "rescheduled"
    CHANGED = "changed"  # more than one of quantity, price, date, item, unit


@dataclass(frozen=True, slots=True)
class LineChange:
    kind: ChangeKind
    line: OrderLine  # as it stands after the change (as it stood, for a deleted line)


@dataclass(frozen=True, slots=True)
class OrderChange:
    """A change to ``order`` (its state after the change); ``cancelled`` with no lines
    withdraws the whole order."""

    order: OutboundOrder
    lines: tuple[LineChange, ...]


def line_changes(before: OutboundOrder, after: OutboundOrder) -> tuple[LineChange, ...]:
    """The lines that differ, in line-number order."""
    old = {line.line_number: line for line in before.lines}
    new = {line.line_number: line for line in after.lines}
    changes = []
    for number in sorted(old.keys() | new.keys()):
        was, now = old.get(number), new.get(number)
        if was is None and now is not None:
            changes.append(LineChange(ChangeKind.ADDED, now))
        elif now is None and was is not None:
            changes.append(LineChange(ChangeKind.DELETED, was))
        elif was is not None and now is not None and was != now:
            changes.append(LineChange(_kind(was, now), now))
    return tuple(changes)


def _kind(was: OrderLine, now: OrderLine) -> ChangeKind:
    differs = {
        "quantity": was.quantity != now.quantity,
        "price": was.price != now.price,
        "date": was.requested != now.requested,
        "other": was.item != now.item or was.unit != now.unit,
    }
    if sum(differs.values()) != 1 or differs["other"]:
        return ChangeKind.CHANGED
    if differs["quantity"]:
        return (
            ChangeKind.QUANTITY_INCREASED
            if now.quantity > was.quantity
            else ChangeKind.QUANTITY_DECREASED
        )
    return ChangeKind.PRICE_CHANGED if differs["price"] else ChangeKind.RESCHEDULED
