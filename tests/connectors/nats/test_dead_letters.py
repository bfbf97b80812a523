"""The inbound worker's apply/park/bury logic and `dlq retry|drop`, on the embedded store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from inbound_fixtures import message, release, revise, upsert_supplier

from connectors.database import Database
from connectors.nats.command_messages import InboundMessage
from connectors.nats.dead_letters import DeadLetterStore
from connectors.nats.dead_letters import release as release_document
from connectors.nats.inbound import InboundWorker
from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
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
    # a cancellation of a purchase order that never arrives: not found, on every attempt
    worker.process([message("cancel_purchase_order", "cancel-51", po_number="51")])

    [dead] = worker.dead_letters.all()
    assert dead.attempts == worker.max_attempts
    assert dead.reason.startswith("not_found")


def test_a_revision_that_arrives_before_its_predecessor_is_held_and_applied_right_after_it(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    # given revisions 3 and 4 arriving before revision 2 (as after a crash and a redelivery)
    worker.process([upsert_supplier("SUP-ACME"), release("60"), revise("60", 3, "130")])
    worker.process([revise("60", 4, "140")])
    assert revision_of(hub, "60") == 1
    assert [h.waits_for for h in worker.dead_letters.held("po:60")] == [
        "revision 2 of po:60",
        "revision 3 of po:60",
    ]

    # when revision 2 arrives
    worker.process([revise("60", 2, "120")])

    # then 2, 3 and 4 were applied in their order and nothing is held or dead
    assert revision_of(hub, "60") == 4
    assert worker.dead_letters.held("po:60") == []
    assert worker.dead_letters.all() == []


def test_a_held_command_whose_predecessor_never_comes_becomes_a_dead_letter_naming_it(
    hub: SupplyHub, tmp_path: Path
) -> None:
    # given a worker whose hold wait is a minute, and revision 3 held for revision 2
    now = [NOW]
    store = DeadLetterStore(Database.sqlite(tmp_path / "hub.sqlite3"))
    worker = InboundWorker(hub, store, "nats://unused", hold_seconds=60, clock=lambda: now[0])
    worker.process([upsert_supplier("SUP-ACME"), release("61"), revise("61", 3, "130")])
    worker.process([revise("61", 4, "140")])
    worker.tend_held()
    assert worker.dead_letters.all() == []

    # when the wait passes without revision 2
    now[0] = NOW + timedelta(seconds=61)
    worker.tend_held()

    # then revision 3 is the dead letter, naming what it waited for, and 4 is parked behind it
    [dead] = worker.dead_letters.all()
    assert dead.reason.startswith("waited 61s for revision 2 of po:61, which did not arrive")
    assert json.loads(dead.message.body)["revision"] == 3
    assert dead.parked == 1
    assert worker.dead_letters.held("po:61") == []

    # and once revision 2 is sent after all, `dlq retry` brings the document back in order
    worker.process([revise("61", 2, "120")])
    done = release_document(worker.dead_letters, "po:61", worker.apply, lambda: NOW, retry=True)
    assert (done.applied, done.still_dead) == (3, "")
    assert revision_of(hub, "61") == 4
    assert worker.dead_letters.all() == []


def test_retry_applies_a_dead_letter_that_only_came_early_after_its_parked_predecessor(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    # given what the old worker left after a crash: revision 3 dead ("must be 2"), with
    # revision 4 and then revision 2 parked behind it
    worker.process([upsert_supplier("SUP-ACME"), release("62")])
    worker.dead_letters.bury("po:62", revise("62", 3, "130"), "validation: revision: must be 2",
                             1, NOW)  # fmt: skip
    worker.process([revise("62", 4, "140"), revise("62", 2, "120")])
    assert worker.dead_letters.all()[0].parked == 2

    # when the operator retries the document
    done = release_document(worker.dead_letters, "po:62", worker.apply, lambda: NOW, retry=True)

    # then every command applied, in revision order, and the document is clean
    assert (done.applied, done.still_dead) == (3, "")
    assert revision_of(hub, "62") == 4
    assert worker.dead_letters.all() == []
    assert worker.dead_letters.parked("po:62") == []


def test_dlq_retry_from_the_cli_brings_back_a_document_whose_revision_came_early(
    hub: SupplyHub,
    worker: InboundWorker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given the state the old worker left for po:63: revision 3 dead, 4 and 2 parked behind
    worker.process([upsert_supplier("SUP-ACME"), release("63")])
    worker.dead_letters.bury("po:63", revise("63", 3, "130"), "validation: revision: must be 2",
                             1, NOW)  # fmt: skip
    worker.process([revise("63", 4, "140"), revise("63", 2, "120")])
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))

    # when the operator retries it from the CLI
    code = main(["dlq", "retry", "po:63"])

    # then all three applied in revision order and nothing is left to list
    assert code == 0
    assert "3 command(s) applied" in capsys.readouterr().out
    assert revision_of(hub, "63") == 4
    assert main(["dlq", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No dead letters."


def acknowledgement(po: str, channel: str, code: str) -> InboundMessage:
    """An answer as a translator publishes it: in its channel's own code."""
    body = {"po_number": po, "revision": 1, "lines": [{"line_number": 10, "code": code}]}
    headers = {"Nats-Msg-Id": f"ack-{po}", "Supplyhub-Channel": channel,
               "Supplyhub-Tenant": "SUP-ACME"}  # fmt: skip
    return InboundMessage(
        "supplyhub.commands.acknowledge_purchase_order", headers, json.dumps(body).encode()
    )


def test_an_answer_in_a_channels_own_code_is_recorded_with_the_status_it_means_and_the_code(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    worker.process([upsert_supplier("SUP-ACME"), release("60"), release("61")])

    worker.process([acknowledgement("60", "x12", "IR"), acknowledgement("61", "edifact", "6")])

    assert worker.dead_letters.all() == []
    x12, edifact = (hub.repository.get(PurchaseOrder.create_id(po)) for po in ("60", "61"))
    assert (x12.responses[10].status, x12.responses[10].source_code) == ("rejected", "IR")
    assert (edifact.responses[10].status, edifact.responses[10].source_code) == (
        "accepted_with_changes", "6"
    )  # fmt: skip


def test_an_answer_code_its_channel_does_not_know_is_a_dead_letter_naming_the_line(
    hub: SupplyHub, worker: InboundWorker
) -> None:
    worker.process([upsert_supplier("SUP-ACME"), release("62")])

    worker.process([acknowledgement("62", "edifact", "29")])

    [dead] = worker.dead_letters.all()
    assert dead.reason == (
        "validation: lines[0].code: unknown edifact acknowledgement code '29' "
        "(known: 3, 4, 5, 6, 7)"
    )
