"""A realistic scenario for `supplyhub demo`, the tests and the benchmarks: suppliers, POs with
revisions, full, partial, changed and stale answers, ASNs, receipts and invoices."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.goods_receipt import ReceiptLine
from domain.invoice import InvoiceLine
from domain.order_line import OrderLine
from domain.provenance import Channel, Provenance
from domain.shipment import AsnItem, AsnOrder, AsnPack

PLANTS = ("PLANT-DE01", "PLANT-DE02", "PLANT-PL01", "PLANT-US01", "PLANT-MX01", "PLANT-CN01")
ITEMS = ("BRKT-1001", "GEAR-2040", "SHAFT-330", "SEAL-0815", "PCB-7731", "HOUS-5500", "BOLT-M8")
SUPPLIERS = (
    ("SUP-ACME", "Acme Precision GmbH", Channel.PORTAL),
    ("SUP-BOREAL", "Boreal Castings Sp. z o.o.", Channel.X12),
    ("SUP-CYPRESS", "Cypress Electronics Inc.", Channel.CXML),
    ("SUP-DELTA", "Delta Seals S.A.", Channel.EDIFACT),
)
# What each supplier says for accept / change / reject, in its channel's own code: the answer
# carries the status the demo means and keeps the code as its source, as a translator would
# after its channel's table (tests/connectors/test_demo.py holds the two together).
_ANSWERED = (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_CHANGES, AckStatus.REJECTED)
_CODES = {
    Channel.PORTAL: ("Accepted", "Partially Accepted", "Rejected"),
    Channel.X12: ("IA", "IQ", "IR"),
    Channel.CXML: ("accept", "detail", "reject"),
    Channel.EDIFACT: ("5", "3", "7"),
}
SAYS = {
    status: {channel: codes[index] for channel, codes in _CODES.items()}
    for index, status in enumerate(_ANSWERED)
}


def _answer(
    channel: Channel, status: AckStatus, line_number: int, quantity: Decimal | None = None
) -> c.LineAnswer:
    return c.LineAnswer(line_number, status, SAYS[status][channel], quantity)


_ACCEPTED, _CHANGED = AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_CHANGES


@dataclass(frozen=True)
class Step:
    command: c.Command
    provenance: Provenance


class Scenario:
    """Deterministic for a seed; time advances an hour per document."""

    def __init__(self, seed: int = 7, start: datetime | None = None) -> None:
        self.random = random.Random(seed)
        self.now = start or datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
        self.counter = 0

    def provenance(self, channel: Channel, actor: str, tenant: str = "") -> Provenance:
        self.counter += 1
        self.now += timedelta(minutes=37)
        message_id = f"demo-{self.counter:06d}"
        return Provenance(
            message_id=message_id,
            correlation_id=f"corr-{self.counter:06d}",
            causation_id=message_id,
            actor=actor,
            channel=channel,
            at=self.now,
            payload_ref=f"raw/{channel.value}/{message_id}",
            tenant=tenant,
        )

    def lines(self, count: int, need_by: date) -> tuple[OrderLine, ...]:
        return tuple(
            OrderLine(
                line_number=10 * (i + 1),
                item=self.random.choice(ITEMS),
                quantity=Decimal(self.random.randrange(10, 500, 10)),
                uom="EA",
                unit_price=Decimal(self.random.randrange(50, 5000)) / 100,
                need_by=need_by + timedelta(days=i),
                ship_to=self.random.choice(PLANTS),
            )
            for i in range(count)
        )

    def steps(self, purchase_orders: int = 36) -> Iterator[Step]:
        erp = Channel.ERP
        for code, name, _channel in SUPPLIERS:
            yield Step(
                c.UpsertSupplier(code, name, erp_id=f"V{code[-4:]}"), self.provenance(erp, "erp")
            )
        for n in range(purchase_orders):
            code, _, channel = SUPPLIERS[n % len(SUPPLIERS)]
            yield from self._purchase_order(f"45000{n + 1:05d}", code, channel, n)

    def _purchase_order(
        self, number: str, supplier: str, channel: Channel, n: int
    ) -> Iterator[Step]:
        erp, actor = Channel.ERP, f"supplier:{supplier}"
        need_by = (self.now + timedelta(days=21)).date()
        lines = self.lines(1 + n % 4, need_by)
        yield Step(
            c.ReleasePurchaseOrder(number, supplier, "EUR", lines), self.provenance(erp, "erp")
        )
        revised = n % 3 == 0
        if revised:
            lines = (*lines[:-1], replace(lines[-1], quantity=lines[-1].quantity + 10))
            yield Step(c.RevisePurchaseOrder(number, 2, lines), self.provenance(erp, "erp"))
        revision = 2 if revised else 1
        supplier_says = self.provenance(channel, actor, supplier)
        kind = n % 6
        if kind == 5:
            return  # left unacknowledged: shows up as needing action
        if revised and kind == 3:
            stale = c.AcknowledgePurchaseOrder(number, 1, (_answer(channel, _ACCEPTED, 10),))
            yield Step(stale, supplier_says)
            return
        answers = [_answer(channel, _ACCEPTED, line.line_number) for line in lines]
        if kind == 1:
            first = lines[0]
            answers[0] = _answer(channel, _CHANGED, first.line_number, first.quantity - 10)
        if kind == 2 and len(lines) > 1:
            answers[-1] = _answer(channel, AckStatus.REJECTED, lines[-1].line_number)
        yield Step(c.AcknowledgePurchaseOrder(number, revision, tuple(answers)), supplier_says)
        if kind == 4:
            late = lines[0].need_by + timedelta(days=9)
            proposal = c.ProposeChange(
                number, revision, lines[0].line_number, f"CP-{number}", need_by=late
            )
            yield Step(proposal, self.provenance(channel, actor, supplier))
        if kind in (0, 1, 4) or n % 5 == 0:
            yield from self._fulfil(number, supplier, channel, lines, n)

    def _fulfil(
        self, number: str, supplier: str, channel: Channel, lines: tuple[OrderLine, ...], n: int
    ) -> Iterator[Step]:
        actor = f"supplier:{supplier}"
        asn = f"ASN-{number}"
        items = tuple(
            AsnItem(line.line_number, line.quantity, line.item, (f"LOT-{n}",)) for line in lines
        )
        ship = (self.now + timedelta(days=2)).date()
        order = AsnOrder(number, (AsnPack(f"00340123450000{n:05d}", items),))
        notice = c.SubmitShipNotice(
            supplier, asn, ship, ship + timedelta(days=3), (order,), "DHL", f"JD{n:08d}"
        )
        yield Step(notice, self.provenance(channel, actor, supplier))
        short = n % 4 == 0
        received = tuple(
            ReceiptLine(
                line.line_number, line.quantity - (5 if short and i == 0 else 0), lot=f"LOT-{n}"
            )
            for i, line in enumerate(lines)
        )
        receipt = c.PostGoodsReceipt(
            f"GR-{number}", number, ship + timedelta(days=3), received, asn
        )
        yield Step(receipt, self.provenance(Channel.ERP, "wms"))
        mismatch = n % 7 == 0
        invoice_lines = tuple(
            InvoiceLine(
                r.line_number, r.accepted, line.unit_price * (Decimal("1.1") if mismatch else 1)
            )
            for r, line in zip(received, lines, strict=True)
        )
        invoice = c.SubmitInvoice(supplier, f"INV-{number}", number, "EUR", ship, invoice_lines)
        yield Step(invoice, self.provenance(channel, actor, supplier))
        if n % 9 == 0:  # the same invoice again, as a new message: a duplicate
            yield Step(invoice, self.provenance(channel, actor, supplier))


def run_scenario(hub: SupplyHub, purchase_orders: int = 36, seed: int = 7) -> Counter[str]:
    """Apply the scenario; returns how many commands ended in each outcome status."""
    tally: Counter[str] = Counter()
    for step in Scenario(seed).steps(purchase_orders):
        try:
            outcome = hub.handle(step.command, step.provenance)
            tally["replayed (already seen)" if outcome.replayed else outcome.status] += 1
        except DomainError as error:
            tally[f"refused ({error.code})"] += 1
    return tally
