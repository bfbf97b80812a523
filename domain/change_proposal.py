"""A supplier's proposed change to one PO line, and the tolerance verdict on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.order_line import OrderLine, ScheduleLine
from domain.tolerance import TolerancePolicy


@dataclass(frozen=True)
class ChangeProposal:
    proposal_id: str
    revision: int
    line_number: int
    quantity: Decimal | None = None
    need_by: date | None = None
    splits: tuple[ScheduleLine, ...] = ()
    reason: str = ""

    def breaches(self, line: OrderLine, policy: TolerancePolicy) -> tuple[str, ...]:
        """What of this proposal falls outside the policy, as readable reasons."""
        found: list[str] = []
        if self.quantity is not None:
            found.append(policy.quantity_breach(line.quantity, self.quantity))
        if self.need_by is not None:
            found.append(policy.date_breach(line.need_by, self.need_by))
        if self.splits:
            total = sum((split.quantity for split in self.splits), Decimal(0))
            found.append(policy.quantity_breach(line.quantity, total))
            found.extend(policy.date_breach(line.need_by, split.need_by) for split in self.splits)
        return tuple(reason for reason in found if reason)

    def commitment(self, line: OrderLine) -> tuple[ScheduleLine, ...]:
        """The delivery schedule the supplier commits to if this proposal applies."""
        if self.splits:
            return self.splits
        return (
            ScheduleLine(
                quantity=self.quantity if self.quantity is not None else line.quantity,
                need_by=self.need_by if self.need_by is not None else line.need_by,
            ),
        )
