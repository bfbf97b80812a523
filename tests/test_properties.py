"""Random command sequences against a simple reference model: the state loaded back from the
store always equals what the model expects, and the invariants hold after every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from given import envelope, line
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.goods_receipt import ReceiptLine
from domain.outcome import Outcome
from domain.provenance import Channel, Provenance
from domain.purchase_order import PurchaseOrder

PO = "4500099999"


@dataclass
class Model:
    revision: int = 1
    status: str = "open"
    line_numbers: tuple[int, ...] = (10, 20)
    answered: set[int] = field(default_factory=set)
    received: dict[int, Decimal] = field(default_factory=dict)
    messages: list[tuple[c.Command, Provenance]] = field(default_factory=list)
    receipts: int = 0


class PurchaseOrderLifecycle(RuleBasedStateMachine):
    @initialize()
    def release(self) -> None:
        self.hub = SupplyHub(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
        )
        self.model = Model()
        self.send(c.UpsertSupplier("SUP-P", "Property Supplier"))
        self.send(c.ReleasePurchaseOrder(PO, "SUP-P", "EUR", (line(10), line(20))))

    def send(self, command: c.Command, channel: Channel = Channel.ERP) -> Outcome:
        """Accepted messages are remembered for repeats; a refused one is not recorded by the
        hub, so a retry of it is judged afresh, on the state of the day."""
        message = envelope(channel)
        outcome = self.hub.handle(command, message)
        self.model.messages.append((command, message))
        return outcome

    @precondition(lambda self: self.model.status == "open")
    @rule(numbers=st.sets(st.sampled_from([10, 20, 30, 40]), min_size=1))
    def revise(self, numbers: set[int]) -> None:
        self.send(
            c.RevisePurchaseOrder(
                PO, self.model.revision + 1, tuple(line(n) for n in sorted(numbers))
            )
        )
        self.model.revision += 1
        self.model.line_numbers = tuple(sorted(numbers))
        self.model.answered = set()

    @precondition(lambda self: self.model.status == "open")
    @rule(data=st.data(), back=st.integers(min_value=0, max_value=2))
    def acknowledge(self, data: st.DataObject, back: int) -> None:
        revision = max(1, self.model.revision - back)
        number = data.draw(st.sampled_from(self.model.line_numbers))
        outcome = self.send(
            c.AcknowledgePurchaseOrder(
                PO, revision, (c.LineAnswer(number, AckStatus.ACCEPTED, "IA"),)
            ),
            Channel.X12,
        )
        if revision == self.model.revision:
            self.model.answered.add(number)
        else:
            assert outcome.status == "stale"

    @precondition(lambda self: self.model.status == "open")
    @rule(data=st.data(), quantity=st.integers(min_value=1, max_value=150))
    def receive(self, data: st.DataObject, quantity: int) -> None:
        number = data.draw(st.sampled_from(self.model.line_numbers))
        self.model.receipts += 1
        receipt = c.PostGoodsReceipt(
            f"GR-{self.model.receipts}",
            PO,
            envelope().at.date(),
            (ReceiptLine(number, Decimal(quantity)),),
        )
        self.send(receipt)
        self.model.received[number] = self.model.received.get(number, Decimal(0)) + quantity

    @precondition(lambda self: self.model.status == "open")
    @rule()
    def cancel(self) -> None:
        self.send(c.CancelPurchaseOrder(PO, "no longer needed"))
        self.model.status = "cancelled"

    @precondition(lambda self: len(self.model.messages) > 2)
    @rule(data=st.data())
    def repeat_an_earlier_message(self, data: st.DataObject) -> None:
        command, message = data.draw(st.sampled_from(self.model.messages))
        head = self.hub.recorder.max_notification_id()
        outcome = self.hub.handle(command, message)
        assert outcome.replayed
        assert self.hub.recorder.max_notification_id() == head

    @precondition(lambda self: self.model.status == "open")
    @rule(number=st.integers(min_value=50, max_value=60))
    def acknowledge_a_line_that_does_not_exist(self, number: int) -> None:
        head = self.hub.recorder.max_notification_id()
        answer = c.AcknowledgePurchaseOrder(
            PO, self.model.revision, (c.LineAnswer(number, AckStatus.ACCEPTED, "IA"),)
        )
        try:
            self.send(answer, Channel.X12)
        except DomainError:
            pass
        else:
            raise AssertionError("an answer for a line not on the order was accepted")
        assert self.hub.recorder.max_notification_id() == head

    @invariant()
    def stored_state_equals_the_model(self) -> None:
        po = self.hub.repository.get(PurchaseOrder.create_id(PO))
        assert (po.revision, po.status) == (self.model.revision, self.model.status)
        assert tuple(sorted(po.lines)) == self.model.line_numbers
        assert set(po.responses) == self.model.answered
        assert dict(po.received.items()) == self.model.received

    @invariant()
    def open_quantity_is_never_negative(self) -> None:
        po = self.hub.repository.get(PurchaseOrder.create_id(PO))
        assert all(po.open_quantity(n) >= 0 for n in po.lines)

    def teardown(self) -> None:
        self.hub.close()


PurchaseOrderLifecycle.TestCase.settings = settings(
    max_examples=50, stateful_step_count=20, deadline=None
)
test_purchase_order_lifecycle_matches_the_model = PurchaseOrderLifecycle.TestCase
