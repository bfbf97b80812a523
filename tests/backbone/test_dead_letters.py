"""The inbound worker's apply/park/bury logic and `dlq retry|drop`, on the embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from inbound_fixtures import message, release, revise, upsert_supplier

from connectors.database import Database
from connectors.dead_letters import DeadLetterStore
from connectors.dead_letters import release as release_document
from connectors.inbound import InboundWorker
from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[SupplyHub]:
    app = open_hub(Settings(data_dir=tmp_path))
    yield app
    app.close()


@pytest.fixture
def worker(hub: SupplyHub, tmp_path: Path) -> InboundWorker:
    store = DeadLetterStore(Database.sqlite(tmp_path / "hub.sqlite3"))
    return InboundWorker(hub, store, "nats://unused", retry_seconds=0.001, clock=lambda: NOW)


def revision_of(hub: SupplyHub, po: str) -> int:
    found = hub.repository.get(PurchaseOrder.create_id(po))
    assert isinstance(found, PurchaseOrder)
    return found.revision


def test_commands_are_applied_in_order_and_a_repeated_message_id_changes_nothing(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    batch = [upsert_supplier("SUP-ACME"), release("45"), revise("45", 2, "110"), release("45")]

    done = worker.process(batch)

    assert done
    assert revision_of(hub, "45") == 2
    assert worker.dead_letters.all() == []


def test_a_poison_command_is_dead_lettered_with_its_reason_and_parks_its_documents_later_commands(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    # given a release for a supplier the hub does not know yet, and later commands for it
    batch = [
        upsert_supplier("SUP-ACME"),
        release("46", supplier="SUP-NEW"),
        release("47"),
        revise("46", 2, "120"),
        revise("47", 2, "130"),
    ]

    # when the batch is processed
    done = worker.process(batch)

    # then every message is done (ackable), the poison one is a dead letter with its reason,
    # the same document's revision is parked, and the other document flowed
    assert done
    [dead] = worker.dead_letters.all()
    assert dead.document == "po:46"
    assert "unknown supplier 'SUP-NEW'" in dead.reason
    assert dead.parked == 1
    assert revision_of(hub, "47") == 2

    # and a command arriving later for the same document is parked behind it too
    worker.process([message("cancel_purchase_order", "cancel-46", po_number="46")])
    assert worker.dead_letters.all()[0].parked == 2


def test_retry_applies_the_dead_letter_then_the_parked_commands_in_order(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    # given a dead letter with a revision parked behind it, and the cause since fixed
    worker.process([release("48", supplier="SUP-NEW"), revise("48", 2, "120")])
    worker.process([upsert_supplier("SUP-NEW")])

    # when an operator retries the document
    result = release_document(worker.dead_letters, "po:48", worker.apply, lambda: NOW, retry=True)

    # then the release and then the revision were applied, and nothing is left
    assert (result.applied, result.still_dead) == (2, "")
    assert revision_of(hub, "48") == 2
    assert worker.dead_letters.all() == []
    assert worker.dead_letters.parked("po:48") == []


def test_a_retry_that_fails_again_keeps_the_dead_letter_and_its_parked_commands(
    worker: InboundWorker,
) -> None:
    worker.process([release("49", supplier="SUP-NEW"), revise("49", 2, "120")])

    result = release_document(worker.dead_letters, "po:49", worker.apply, lambda: NOW, retry=True)

    assert result.applied == 0
    assert "unknown supplier" in result.still_dead
    [dead] = worker.dead_letters.all()
    assert (dead.attempts, dead.parked) == (2, 1)


def test_drop_discards_the_dead_letter_and_releases_the_parked_commands(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    # given a malformed release dead-lettered, with a valid release parked behind it
    bad = message("release_purchase_order", "bad-50", po_number="50", supplier="SUP-ACME")
    worker.process([upsert_supplier("SUP-ACME"), bad, release("50")])
    assert "invalid: currency: Field required" in worker.dead_letters.all()[0].reason

    # when the operator drops the bad one
    result = release_document(worker.dead_letters, "po:50", worker.apply, lambda: NOW, retry=False)

    # then the parked release is applied and the document flows again
    assert result.applied == 1
    assert revision_of(hub, "50") == 1
    assert worker.dead_letters.all() == []
    worker.process([revise("50", 2, "90")])
    assert revision_of(hub, "50") == 2


def test_a_transient_refusal_is_retried_before_it_is_dead_lettered(
    worker: InboundWorker,
) -> None:
    # a revision for a purchase order that never arrives: not found, on every attempt
    worker.process([revise("51", 2, "10")])

    [dead] = worker.dead_letters.all()
    assert dead.attempts == worker.max_attempts
    assert dead.reason.startswith("not_found")
