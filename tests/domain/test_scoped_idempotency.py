"""Idempotency keys belong to their caller: two callers never collide nor learn about each
other's keys, and records written before keys were scoped still replay for their owner."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from given import envelope, lines, unique
from servers import PostgresServer

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import BatchItem, SupplyHub
from domain.errors import IdempotencyKeyReusedError, NotFoundError
from domain.fingerprint import fingerprint
from domain.outcome import Outcome
from domain.processed_message import ProcessedMessage
from domain.provenance import Channel, Provenance
from storage.aggregates import first_event
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings

pytestmark = pytest.mark.postgres


def as_supplier(supplier: str, key: str) -> Provenance:
    return envelope(Channel.PORTAL, message_id=key, tenant=supplier)


def as_connector(key: str, actor: str = "connector:sap") -> Provenance:
    return replace(envelope(message_id=key), actor=actor)


@pytest.fixture(params=["sqlite", "postgres"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], SupplyHub]]:
    """Opens hubs on a store of this test's own, as processes of one deployment would."""
    settings = Settings(data_dir=tmp_path)
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        settings = Settings(
            data_dir=tmp_path, database_url=server.create_database(f"h_{uuid.uuid4().hex}")
        )
    opened: list[SupplyHub] = []

    def open_one() -> SupplyHub:
        opened.append(open_hub(settings))
        return opened[-1]

    yield open_one
    for hub in opened:
        hub.close()


def upgraded(new_store: Callable[[], SupplyHub], *legacy: tuple[c.Command, Outcome, Provenance]
             ) -> SupplyHub:  # fmt: skip
    """A store whose log began before keys were scoped (its first records are unscoped),
    opened by the scoped hub."""
    before = new_store()
    for command, outcome, by in legacy:
        write_legacy_record(before, command, outcome, by)
    return new_store()


@pytest.fixture
def suppliers(hub: SupplyHub) -> tuple[str, str]:
    codes = unique("ACME"), unique("BOREAL")
    for code in codes:
        hub.handle(c.UpsertSupplier(code, f"Supplier {code}"), as_connector(unique("msg")))
    return codes


def write_legacy_record(
    hub: SupplyHub, command: c.Command, outcome: Outcome, by: Provenance
) -> None:
    """A record as the hub wrote it before keys were scoped: under the message id alone."""
    hub.events.put([
        first_event(
            ProcessedMessage, ProcessedMessage.Recorded,
            ProcessedMessage.legacy_id(by.message_id), message_id=by.message_id,
            command=type(command).__name__, fingerprint=fingerprint(command), outcome=outcome,
            provenance=by,
        )
    ])  # fmt: skip


def test_a_suppliers_key_does_not_stop_a_connector_using_the_same_key(
    hub: SupplyHub, suppliers: tuple[str, str]
) -> None:
    acme, _ = suppliers
    key = unique("sap-po-r1")
    hub.handle(
        c.ReleasePurchaseOrder(unique("PO"), acme, "EUR", lines(1)), as_connector(unique("m"))
    )
    ack_po = unique("PO")
    hub.handle(c.ReleasePurchaseOrder(ack_po, acme, "EUR", lines(1)), as_connector(unique("m")))
    ack = c.AcknowledgePurchaseOrder(ack_po, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),))
    hub.handle(ack, as_supplier(acme, key))

    number = unique("PO")
    outcome = hub.handle(c.ReleasePurchaseOrder(number, acme, "EUR", lines(1)), as_connector(key))

    assert (outcome.status, outcome.document, outcome.replayed) == (
        "applied",
        f"po:{number}",
        False,
    )


def acknowledged(hub: SupplyHub, supplier: str, key: str) -> c.AcknowledgePurchaseOrder:
    """A new PO released to `supplier`, then acknowledged by it under `key`: the command sent."""
    number = unique("PO")
    hub.handle(c.ReleasePurchaseOrder(number, supplier, "EUR", lines(1)), as_connector(unique("m")))
    ack = c.AcknowledgePurchaseOrder(number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),))
    hub.handle(ack, as_supplier(supplier, key))
    return ack


def test_a_supplier_resending_another_suppliers_key_gets_no_replay_of_its_document(
    hub: SupplyHub, suppliers: tuple[str, str]
) -> None:
    acme, boreal = suppliers
    key = unique("ack")
    ack = acknowledged(hub, acme, key)

    with pytest.raises(NotFoundError):
        hub.handle(ack, as_supplier(boreal, key))


def test_a_key_reused_by_the_same_caller_for_other_content_is_still_refused(
    hub: SupplyHub, suppliers: tuple[str, str]
) -> None:
    acme, _ = suppliers
    key = unique("key")
    hub.handle(c.ReleasePurchaseOrder(unique("PO"), acme, "EUR", lines(1)), as_connector(key))

    with pytest.raises(IdempotencyKeyReusedError, match="ReleasePurchaseOrder"):
        hub.handle(c.ReleasePurchaseOrder(unique("PO"), acme, "EUR", lines(1)), as_connector(key))


def test_two_users_of_one_supplier_share_its_keys(
    hub: SupplyHub, suppliers: tuple[str, str]
) -> None:
    acme, _ = suppliers
    key = unique("ack")
    ack = acknowledged(hub, acme, key)

    again = hub.handle(ack, replace(as_supplier(acme, key), actor="supplier:ACME:alice"))

    assert again.replayed is True


def test_a_legacy_record_of_the_same_caller_replays(
    new_store: Callable[[], SupplyHub],
) -> None:
    acme, number, key = unique("ACME"), unique("PO"), unique("ack")
    ack = c.AcknowledgePurchaseOrder(number, 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),))
    legacy = (ack, Outcome("applied", f"po:{number}", 1), as_supplier(acme, key))
    hub = upgraded(new_store, legacy)
    hub.handle(c.UpsertSupplier(acme, "Acme"), as_connector(unique("m")))
    hub.handle(c.ReleasePurchaseOrder(number, acme, "EUR", lines(1)), as_connector(unique("m")))
    before = hub.recorder.max_notification_id()

    again = hub.handle(ack, as_supplier(acme, key))

    assert (again.status, again.replayed) == ("applied", True)
    assert hub.recorder.max_notification_id() == before
    with pytest.raises(IdempotencyKeyReusedError):
        hub.handle(replace(ack, revision=2), as_supplier(acme, key))


def test_a_legacy_record_of_another_caller_is_ignored(
    new_store: Callable[[], SupplyHub],
) -> None:
    acme, boreal, key = unique("ACME"), unique("BOREAL"), unique("sap-po-r1")
    invoice = c.SubmitInvoice(acme, unique("INV"), unique("PO"), "EUR", envelope().at.date(), ())
    legacy = (invoice, Outcome("matched", "invoice:x"), as_supplier(boreal, key))
    hub = upgraded(new_store, legacy)
    assert hub.holds_unscoped_keys()
    hub.handle(c.UpsertSupplier(acme, "Acme"), as_connector(unique("m")))
    number = unique("PO")

    outcome = hub.handle(c.ReleasePurchaseOrder(number, acme, "EUR", lines(1)), as_connector(key))
    again = hub.handle(c.ReleasePurchaseOrder(number, acme, "EUR", lines(1)), as_connector(key))

    assert (outcome.document, outcome.replayed, again.replayed) == (f"po:{number}", False, True)


def test_a_bulk_batch_keys_its_records_by_caller(
    hub: SupplyHub, suppliers: tuple[str, str]
) -> None:
    acme, _ = suppliers
    key = unique("bulk")
    first, second = unique("PO"), unique("PO")
    items = [
        BatchItem(c.ReleasePurchaseOrder(first, acme, "EUR", lines(1)), as_connector(key)),
        BatchItem(
            c.ReleasePurchaseOrder(second, acme, "EUR", lines(1)),
            as_connector(key, actor="connector:oracle"),
        ),
    ]

    results = hub.handle_batch(items)

    assert [r.document for r in results if isinstance(r, Outcome)] == [
        f"po:{first}",
        f"po:{second}",
    ]


def test_a_store_begun_with_scoped_keys_never_looks_for_unscoped_ones(
    new_store: Callable[[], SupplyHub],
) -> None:
    hub = new_store()
    hub.handle(c.UpsertSupplier(unique("ACME"), "Acme"), as_connector(unique("m")))
    # An unscoped record can only be older than every scoped one; one written now is a
    # forgery of the store, and the hub does not pay a read per command to look for it.
    ack = c.AcknowledgePurchaseOrder(
        unique("PO"), 1, (c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),)
    )
    write_legacy_record(hub, ack, Outcome("applied", "po:x", 1), as_supplier("ACME", "k"))

    assert new_store().holds_unscoped_keys() is False
    assert upgraded(new_store).holds_unscoped_keys() is False  # the first record decides
