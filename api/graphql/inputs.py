"""Mutation inputs, each translating to one canonical command from `domain.commands`.

They state no limits of their own: the hub checks the command's (domain/limits.py) and
names every broken one by the same path (NaN and Infinity, which GraphQL's Decimal
scalar lets through, included).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from api.graphql.codes import PORTAL_CODES
from domain import commands as c
from domain.invoice import InvoiceLine
from domain.order_line import ScheduleLine
from domain.shipment import AsnItem, AsnOrder, AsnPack


@strawberry.input
class LineAnswerInput:
    line_number: int
    code: str = strawberry.field(description='Portal codes: "Accepted", "Partially Accepted", '
                                 '"Rejected".')  # fmt: skip
    confirmed_quantity: Decimal | None = None
    confirmed_date: date | None = None
    confirmed_price: Decimal | None = None
    note: str = ""

    def answer(self, index: int) -> c.LineAnswer:
        """The portal's word becomes the canonical status here; the word is kept as data."""
        status = PORTAL_CODES.status(self.code, f"lines[{index}].code")
        return c.LineAnswer(
            self.line_number, status, self.code, self.confirmed_quantity, self.confirmed_date,
            self.confirmed_price, self.note,
        )  # fmt: skip


@strawberry.input
class AcknowledgementInput:
    po_number: str
    revision: int = strawberry.field(description="The revision this answer is about.")
    lines: list[LineAnswerInput]

    def command(self) -> c.AcknowledgePurchaseOrder:
        answers = tuple(line.answer(i) for i, line in enumerate(self.lines))
        return c.AcknowledgePurchaseOrder(self.po_number, self.revision, answers)


@strawberry.input
class ScheduleLineInput:
    quantity: Decimal
    need_by: date


@strawberry.input
class ChangeProposalInput:
    po_number: str
    revision: int
    line_number: int
    proposal_id: str
    quantity: Decimal | None = None
    need_by: date | None = None
    splits: list[ScheduleLineInput] = strawberry.field(default_factory=list)
    reason: str = ""

    def command(self) -> c.ProposeChange:
        splits = tuple(ScheduleLine(s.quantity, s.need_by) for s in self.splits)
        return c.ProposeChange(
            self.po_number, self.revision, self.line_number, self.proposal_id,
            self.quantity, self.need_by, splits, self.reason,
        )  # fmt: skip


@strawberry.input
class AsnItemInput:
    line_number: int
    quantity: Decimal
    item: str = ""
    lots: list[str] = strawberry.field(default_factory=list)
    serials: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class AsnPackInput:
    pack_id: str = strawberry.field(description="SSCC or the supplier's pack id.")
    items: list[AsnItemInput]


@strawberry.input
class AsnOrderInput:
    po_number: str
    packs: list[AsnPackInput]


@strawberry.input
class ShipNoticeInput:
    asn_number: str
    ship_date: date
    expected_delivery: date
    orders: list[AsnOrderInput]
    carrier: str = ""
    tracking_number: str = ""

    def command(self, supplier: str) -> c.SubmitShipNotice:
        orders = tuple(
            AsnOrder(order.po_number, tuple(
                AsnPack(pack.pack_id, tuple(
                    AsnItem(item.line_number, item.quantity, item.item, tuple(item.lots),
                            tuple(item.serials))
                    for item in pack.items))
                for pack in order.packs))
            for order in self.orders
        )  # fmt: skip
        return c.SubmitShipNotice(
            supplier, self.asn_number, self.ship_date, self.expected_delivery, orders,
            self.carrier, self.tracking_number,
        )  # fmt: skip


@strawberry.input
class InvoiceLineInput:
    line_number: int
    quantity: Decimal
    unit_price: Decimal


@strawberry.input
class InvoiceInput:
    invoice_number: str
    po_number: str
    currency: str
    invoice_date: date
    lines: list[InvoiceLineInput]

    def command(self, supplier: str) -> c.SubmitInvoice:
        lines = tuple(
            InvoiceLine(line.line_number, line.quantity, line.unit_price) for line in self.lines
        )
        return c.SubmitInvoice(
            supplier, self.invoice_number, self.po_number, self.currency, self.invoice_date, lines
        )


@strawberry.input
class ExceptionAssignmentInput:
    key: str = strawberry.field(description="The case's key, as `exceptions { key }` shows it.")
    owner: str = strawberry.field(description="Who works the case from now on.")

    def command(self) -> c.AssignException:
        return c.AssignException(self.key, self.owner)


@strawberry.input
class ExceptionResolutionInput:
    key: str = strawberry.field(description="The case's key, as `exceptions { key }` shows it.")
    resolution: str = strawberry.field(description="How it was resolved (kept in the event).")

    def command(self) -> c.ResolveException:
        return c.ResolveException(self.key, self.resolution)


@strawberry.input
class ExceptionCommentInput:
    key: str = strawberry.field(description="The case's key, as `exceptions { key }` shows it.")
    text: str = strawberry.field(
        description="What to say (plain text, at most 2,000 characters; newlines and tabs "
        "allowed), on an open or a resolved case."
    )

    def command(self) -> c.CommentOnException:
        return c.CommentOnException(self.key, self.text)


@strawberry.input
class ChangeDecisionInput:
    po_number: str
    proposal_id: str = strawberry.field(description="The supplier's proposal, escalated to you.")
    reason: str = strawberry.field(default="", description="Why, for a rejection (kept).")

    def approval(self) -> c.ApproveChange:
        return c.ApproveChange(self.po_number, self.proposal_id)

    def rejection(self) -> c.RejectChange:
        return c.RejectChange(self.po_number, self.proposal_id, self.reason)
