"""The application service on both stores: idempotency, revisions, atomicity, concurrency,
restarts and schema evolution."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from given import envelope, line, lines, unique

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import BatchItem, SupplyHub
from domain.commands import Command
from domain.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)
from domain.outcome import Outcome
from domain.processed_message import ProcessedMessage
from domain.provenance import Channel, Provenance
from domain.purchase_order import PurchaseOrder
from domain.shipment import AsnItem, AsnOrder, AsnPack
from domain.supplier import Supplier
from domain.unit_of_work import UnitOfWork
from domain.use_cases import Context
from supplyhub.bootstrap import open_hub, store_env
from supplyhub.settings import Settings

pytestmark = pytest.mark.postgres


def head(hub: SupplyHub) -> int:
    return hub.recorder.max_notification_id() or 0


def test_the_same_message_many_times_gives_one_set_of_events(hub: SupplyHub, supplier: str) -> None:
    release = c.ReleasePurchaseOrder(unique("PO"), supplier, "EUR", lines(3))
    message = envelope(message_id=unique("msg"))
    first = hub.handle(release, message)
    after_first = head(hub)

    repeats = [hub.handle(release, message) for _ in range(5)]

    assert head(hub) == after_first
    assert all(r == first.__class__(**{**first.__dict__, "replayed": True}) for r in repeats)
    assert first.replayed is False


def test_a_message_id_reused_for_different_content_is_refused(
    hub: SupplyHub, po_number: str
) -> None:
    message = envelope(message_id=unique("msg"))
    hub.handle(c.CancelPurchaseOrder(po_number, "first reason"), message)

    with pytest.raises(IdempotencyKeyReusedError):
        hub.handle(c.CancelPurchaseOrder(po_number, "another reason"), message)


def test_a_repeat_returns_the_first_outcome_even_after_the_state_moved_on(
    hub: SupplyHub, po_number: str
) -> None:
    ack = c.AcknowledgePurchaseOrder(po_number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "IA"),))
    message = envelope(Channel.X12, message_id=unique("msg"))
    first = hub.handle(ack, message)
    hub.handle(c.RevisePurchaseOrder(po_number, 2, lines(2)), envelope())

    again = hub.handle(ack, message)

    assert (again.status, again.revision, again.replayed) == (first.status, 1, True)


def test_an_answer_to_an_outdated_revision_is_recorded_and_opens_a_stale_revision_case(
    hub: SupplyHub, po_number: str
) -> None:
    hub.handle(c.RevisePurchaseOrder(po_number, 2, lines(2)), envelope())

    outcome = hub.handle(
        c.AcknowledgePurchaseOrder(
            po_number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "Accepted"),)
        ),
        envelope(Channel.PORTAL),
    )

    assert outcome.status == "stale"
    assert outcome.exceptions[0].startswith("stale_revision:")
    po = hub.repository.get(PurchaseOrder.create_id(po_number))
    assert po.responses == {}
    assert type(list(hub.history(po.id))[-1]).__name__ == "StaleResponseRecorded"


def test_bad_input_leaves_no_half_written_change(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    before = head(hub)
    items = (AsnItem(10, Decimal(5)),)
    orders = (
        AsnOrder(po_number, (AsnPack("P1", items),)),
        AsnOrder("NO-SUCH-PO", (AsnPack("P2", items),)),
    )
    notice = c.SubmitShipNotice(
        supplier, unique("ASN"), date(2026, 11, 20), date(2026, 11, 22), orders
    )

    with pytest.raises(NotFoundError):
        hub.handle(notice, envelope(Channel.PORTAL, tenant=supplier))

    assert head(hub) == before
    assert hub.repository.get(PurchaseOrder.create_id(po_number)).shipped == {}


def test_a_supplier_cannot_act_on_another_suppliers_order(hub: SupplyHub, po_number: str) -> None:
    with pytest.raises(NotFoundError):
        hub.handle(
            c.AcknowledgePurchaseOrder(
                po_number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "Accepted"),)
            ),
            envelope(Channel.PORTAL, tenant="SOMEONE-ELSE"),
        )


def test_an_unknown_unit_of_measure_is_an_error_naming_the_line(
    hub: SupplyHub, supplier: str
) -> None:
    release = c.ReleasePurchaseOrder(unique("PO"), supplier, "EUR", (line(10, uom="furlongs"),))

    with pytest.raises(ValidationError) as refused:
        hub.handle(release, envelope())

    assert refused.value.field == "lines[0].uom"


class _Rendezvous(SupplyHub):
    """Both writers load the document before either saves: a deterministic race."""

    name = "Hub"  # the library names tables after the application class otherwise
    barrier: threading.Barrier

    def _apply(self, uow: UnitOfWork, command: Command, provenance: Provenance) -> Outcome:
        outcome = super()._apply(uow, command, provenance)
        self.barrier.wait(timeout=10)
        return outcome


def test_two_concurrent_writers_on_one_order_give_one_success_and_one_conflict(
    store_settings: Settings, po_number: str
) -> None:
    barrier = threading.Barrier(2)
    writers = [_Rendezvous(env=store_env(store_settings)) for _ in range(2)]
    results: list[Any] = [None, None]

    def write(i: int) -> None:
        writers[i].barrier = barrier
        answer = c.AcknowledgePurchaseOrder(
            po_number, 1, (c.LineAnswer(10 * (i + 1), AckStatus.ACCEPTED, "IA"),)
        )
        try:
            results[i] = writers[i].handle(answer, envelope(Channel.X12))
        except ConflictError as error:
            results[i] = error

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Outcome"]
    for writer in writers:
        writer.close()


def test_a_restart_still_returns_the_first_outcome(store_settings: Settings, supplier: str) -> None:
    release = c.ReleasePurchaseOrder(unique("PO"), supplier, "EUR", lines(1))
    message = envelope(message_id=unique("msg"))
    first_hub = open_hub(store_settings)
    first = first_hub.handle(release, message)
    first_hub.close()

    second_hub = open_hub(store_settings)
    again = second_hub.handle(release, message)
    second_hub.close()

    assert again.replayed and again.document == first.document


def test_a_batch_gives_what_one_by_one_would_including_refusals(
    hub: SupplyHub, supplier: str
) -> None:
    numbers = [unique("PO") for _ in range(4)]
    items = [
        BatchItem(c.ReleasePurchaseOrder(n, supplier, "EUR", lines(2)), envelope()) for n in numbers
    ]
    hub.handle_batch(items[:2])
    bad = BatchItem(
        c.ReleasePurchaseOrder(unique("PO"), "NO-SUCH-SUPPLIER", "EUR", lines(1)), envelope()
    )

    results = hub.handle_batch([*items, bad])

    assert [getattr(r, "replayed", None) for r in results[:4]] == [True, True, False, False]
    assert isinstance(results[4], ValidationError) and results[4].field == "supplier"
    for number in numbers:
        assert hub.repository.get(PurchaseOrder.create_id(number)).revision == 1


def test_an_old_version_of_an_event_loads_through_its_upcaster(hub: SupplyHub) -> None:
    code = unique("SUP")
    supplier_id = Supplier.create_id(code)
    version_one_state = {
        "timestamp": envelope().at,
        "originator_topic": "supplyhub:Supplier",
        "code": code,
        "name": "Registered before suppliers had a status",
        "erp_id": "V100",
        "channel_ids": [],
        "provenance": envelope(),
    }
    from eventsourcing.persistence import StoredEvent

    hub.recorder.insert_events(
        [
            StoredEvent(
                originator_id=supplier_id,
                originator_version=1,
                topic="supplyhub:Supplier.Registered",
                state=hub.mapper.transcoder.encode(version_one_state),
            )
        ]
    )

    loaded = hub.repository.get(supplier_id)

    assert (loaded.name, loaded.status) == ("Registered before suppliers had a status", "active")


def test_the_context_hides_other_suppliers_documents_as_not_found(
    hub: SupplyHub, po_number: str
) -> None:
    ctx = Context(
        UnitOfWork(hub.repository), envelope(tenant="SOMEONE-ELSE"), hub.default_tolerance
    )

    with pytest.raises(NotFoundError):
        ctx.purchase_order(po_number)


def test_a_large_batch_is_stored_whole_and_a_repeat_of_it_writes_nothing(
    hub: SupplyHub, supplier: str
) -> None:
    numbers = [unique("PO") for _ in range(60)]  # 120 events: PostgreSQL appends by COPY
    items = [
        BatchItem(c.ReleasePurchaseOrder(n, supplier, "EUR", lines(3)), envelope()) for n in numbers
    ]
    before = head(hub)

    first = hub.handle_batch(items)
    after = head(hub)
    again = hub.handle_batch(items)

    assert all(isinstance(r, Outcome) and not r.replayed for r in first)
    assert after - before >= 120
    assert all(isinstance(r, Outcome) and r.replayed for r in again)
    assert head(hub) == after
    assert {hub.repository.get(PurchaseOrder.create_id(n)).revision for n in numbers} == {1}


def test_the_idempotency_record_reads_back_as_the_aggregate(hub: SupplyHub, supplier: str) -> None:
    message = envelope(message_id=unique("msg"))
    outcome = hub.handle(c.ReleasePurchaseOrder(unique("PO"), supplier, "EUR", lines(1)), message)

    record = hub.repository.get(ProcessedMessage.create_id(message.message_id, message))

    assert (record.message_id, record.command, record.outcome) == (
        message.message_id,
        "ReleasePurchaseOrder",
        outcome,
    )


def test_an_answer_whose_status_is_no_canonical_status_is_refused_naming_the_line(
    hub: SupplyHub, po_number: str
) -> None:
    # every edge translates its channel's code first; a raw code is not a status
    answer = c.LineAnswer(10, "IA", "IA")  # type: ignore[arg-type]

    with pytest.raises(ValidationError) as refused:
        hub.handle(c.AcknowledgePurchaseOrder(po_number, 1, (answer,)), envelope(Channel.X12))

    assert refused.value.field == "lines[0].status"


def test_a_supplier_may_not_comment_on_a_case_even_its_own_over_any_channel(
    hub: SupplyHub, po_number: str, supplier: str
) -> None:
    hub.handle(c.RevisePurchaseOrder(po_number, 2, lines(2)), envelope())
    answer = c.AcknowledgePurchaseOrder(po_number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "A"),))
    key = hub.handle(answer, envelope(Channel.PORTAL, tenant=supplier)).exceptions[0]
    before = head(hub)

    with pytest.raises(ForbiddenError):
        hub.handle(c.CommentOnException(key, "we shipped"), envelope(Channel.X12, tenant=supplier))
    with pytest.raises(ForbiddenError):
        hub.handle(c.CommentOnException(key, "probe"), envelope(Channel.X12, tenant="SUP-OTHER"))

    assert head(hub) == before
    said = hub.handle(c.CommentOnException(key, "buyer looks"), envelope())
    assert (said.status, said.document) == ("applied", f"exception:{key}")
