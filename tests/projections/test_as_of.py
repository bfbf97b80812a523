"""A purchase order as of a revision or a time: one cut of its events, read as the order
itself (REST, `supplyhub history`) and as its view (the audit trail's time travel)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from connectors.demo import Scenario
from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.provenance import Channel
from projections.as_of import purchase_order_as_of

ACCEPTED = AckStatus.ACCEPTED


def _released_answered_revised_answered(hub: SupplyHub) -> None:
    """Versions: 1 released, 2 answered, 3 revised to revision 2, 4 answered again."""
    s = Scenario(seed=7)
    erp, supplier = (Channel.ERP, "erp"), (Channel.PORTAL, "supplier:SUP-A", "SUP-A")
    hub.handle(c.UpsertSupplier("SUP-A", "Supplier A"), s.provenance(*erp))
    lines = s.lines(2, s.now.date())
    hub.handle(c.ReleasePurchaseOrder("PO-9", "SUP-A", "EUR", lines), s.provenance(*erp))
    answers = (c.LineAnswer(10, ACCEPTED, "ACCEPTED"), c.LineAnswer(20, ACCEPTED, "ACCEPTED"))
    hub.handle(c.AcknowledgePurchaseOrder("PO-9", 1, answers), s.provenance(*supplier))
    changed = (lines[0], replace(lines[1], quantity=Decimal(999)))
    hub.handle(c.RevisePurchaseOrder("PO-9", 2, changed), s.provenance(*erp))
    hub.handle(c.AcknowledgePurchaseOrder("PO-9", 2, answers[:1]), s.provenance(*supplier))


def test_a_revision_covers_the_events_until_the_erp_moved_past_it(hub: SupplyHub) -> None:
    _released_answered_revised_answered(hub)

    at_1 = purchase_order_as_of(hub, "PO-9", revision=1)
    at_2 = purchase_order_as_of(hub, "PO-9", revision=2)

    assert [e.originator_version for e in at_1.covered] == [1, 2]
    assert len(at_1.events) == 4 and not at_1.revision_missing
    state, view = at_1.state(), at_1.view()
    assert state is not None and state.revision == 1 and state.version == 2
    assert view is not None and view.revision == 1 and view.acknowledged_revision == 1
    assert at_2.version == 4
    assert (now := purchase_order_as_of(hub, "PO-9")).version == 4 and now.view() == at_2.view()


def test_a_time_covers_what_was_recorded_by_then_and_nothing_before_the_order(
    hub: SupplyHub,
) -> None:
    _released_answered_revised_answered(hub)
    recorded = [event.timestamp for event in purchase_order_as_of(hub, "PO-9").events]

    answered = purchase_order_as_of(hub, "PO-9", at=recorded[1])
    before = purchase_order_as_of(hub, "PO-9", at=recorded[0] - timedelta(microseconds=1))

    assert answered.version == 2 and answered.state() is not None
    assert before.version is None and before.state() is None and before.view() is None


def test_a_revision_the_order_never_had_is_missing_and_covers_nothing(hub: SupplyHub) -> None:
    _released_answered_revised_answered(hub)

    missing = purchase_order_as_of(hub, "PO-9", revision=3)
    unknown = purchase_order_as_of(hub, "NO-SUCH-PO")

    assert missing.revision_missing and missing.covered == () and len(missing.events) == 4
    assert missing.state() is None and missing.view() is None
    assert unknown.events == () and unknown.version is None
