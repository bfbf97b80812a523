"""Faults of the store reported, not hidden: a corrupt stored event, a read-only store and a
full disk are named for operators and auditors, a supplier is told to come back later, and
/readyz turns 503 with the reason; the app is composed as `supplyhub serve` composes it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from composed import composed
from eventsourcing.persistence import OperationalError as PersistenceOperationalError
from fake_read_models import app_over_fake_views
from fastapi.testclient import TestClient
from given import envelope

from api.auth import AuthConfig, Role
from api.settings import ApiSettings
from connectors.demo import run_scenario
from domain.application import SupplyHub
from domain.commands import UpsertSupplier
from domain.purchase_order import PurchaseOrder
from storage.database import IN_MEMORY
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.cli.api import auth_config
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings

ACME_PO = "4500000001"  # the demo gives every fourth PO to Acme, from the first
ACKNOWLEDGE = (
    'mutation { acknowledgePurchaseOrder(idempotencyKey: "fault-ack-1", input: {poNumber: '
    f'"{ACME_PO}", revision: 1, lines: [{{lineNumber: 10, code: "Accepted"}}]}})'
    " { __typename ... on Conflict { code detail } } }"
)


@dataclass
class Served:
    settings: Settings
    hub: SupplyHub
    read_side: ReadSide
    client: TestClient

    def bearer(self, role: Role, supplier: str = "") -> dict[str, str]:
        return {"Authorization": f"Bearer {auth_config(self.settings).issue(role, 't', supplier)}"}

    def history_and_acknowledgement(self) -> tuple[httpx.Response, httpx.Response]:
        """An auditor reads the history of Acme's PO; Acme acknowledges it in the portal."""
        history = self.client.get(
            f"/api/v1/purchase-orders/{ACME_PO}/history", headers=self.bearer(Role.AUDITOR)
        )
        answer = self.client.post(
            "/graphql", json={"query": ACKNOWLEDGE},
            headers=self.bearer(Role.SUPPLIER, "SUP-ACME"),
        )  # fmt: skip
        return history, answer

    def release(self, number: str, lines: int) -> httpx.Response:
        body = {"po_number": number, "supplier": "SUP-ACME", "currency": "EUR", "lines": [
            {"line_number": 10 * n, "item": f"ITEM-{n}", "quantity": "5", "uom": "EA",
             "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}
            for n in range(1, lines + 1)
        ]}  # fmt: skip
        headers = {**self.bearer(Role.CONNECTOR), "Idempotency-Key": f"release-{number}"}
        return self.client.post("/api/v1/purchase-orders", json=body, headers=headers)

    def ready_until(self, status: int) -> httpx.Response:
        """/readyz once it answers `status` (the runner retries a failed batch each second)."""
        deadline = time.monotonic() + 20
        while (answer := self.client.get("/readyz")).status_code != status:
            assert time.monotonic() < deadline, answer.text
            threading.Event().wait(0.05)
        return answer


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An embedded store holding the demo (4 POs), views caught up, every connection closed."""
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    settings = Settings(
        data_dir=tmp_path, jwt_secret="store-faults-secret-of-32-characters-or-more"
    )
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    run_scenario(hub, 4)
    read_side.runner.catch_up()
    read_side.close()
    hub.close()
    return settings


@contextmanager
def serving(settings: Settings) -> Iterator[Served]:
    with composed(settings) as hub, TestClient(hub.app) as client:
        yield Served(settings, hub.store, hub.read_side, client)


def database(settings: Settings) -> Path:
    return settings.data_dir / "hub.sqlite3"


def garble(settings: Settings, number: str, version: int) -> None:
    """Bytes of one stored event's state overwritten, as a failing disk or a bad restore would."""
    with sqlite3.connect(database(settings)) as conn:
        oid = PurchaseOrder.create_id(number).hex
        (state,) = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (oid, version),
        ).fetchone()
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (bytes(state)[:8] + b"\xff\x00garbled" + bytes(state)[24:], oid, version),
        )


def forge_release(settings: Settings, number: str) -> int:
    """A copy of the PO's release appended as its next version (the probe's forged event);
    returns that version."""
    with sqlite3.connect(database(settings)) as conn:
        oid = PurchaseOrder.create_id(number).hex
        topic, state, last = conn.execute(
            "SELECT topic, state, (SELECT max(originator_version) FROM stored_events "
            "WHERE originator_id = ?) FROM stored_events WHERE originator_id = ? "
            "AND originator_version = 1",
            (oid, oid),
        ).fetchone()
        conn.execute("INSERT INTO stored_events VALUES (?, ?, ?, ?)", (oid, last + 1, topic, state))
        return int(last) + 1


def make_read_only(settings: Settings) -> None:
    """Write version 3 in the header: SQLite refuses every write to the file, also for root
    (who ignores file modes). The log is checkpointed into the file first."""
    with sqlite3.connect(database(settings)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with database(settings).open("r+b") as file:
        file.seek(18)
        file.write(bytes([3]))


@pytest.mark.server  # serves on a real port
def test_a_corrupt_stored_event_is_named_to_an_auditor_and_unavailable_to_the_supplier(
    settings: Settings,
) -> None:
    # Given the first event of Acme's purchase order garbled in the store
    garble(settings, ACME_PO, 1)
    with serving(settings) as served:
        # When an auditor reads its history, and Acme acknowledges it in the portal
        history, answer = served.history_and_acknowledgement()
    # Then the auditor gets a problem naming the document and the event's version in it
    assert history.status_code == 503
    assert history.headers["content-type"] == "application/problem+json"
    problem = history.json()
    document = str(PurchaseOrder.create_id(ACME_PO))
    assert problem["type"] == "urn:supplyhub:problem:corrupt_event"
    assert (problem["document_id"], problem["version"]) == (document, 1)
    assert f"of document {document} at version 1 cannot be read" in problem["detail"]
    # And the supplier is told to come back, and nothing about the store
    assert answer.status_code == 200
    assert answer.json()["data"]["acknowledgePurchaseOrder"] == {
        "__typename": "Conflict", "code": "unavailable",
        "detail": "temporarily unavailable; please try again later",
    }  # fmt: skip
    assert "deserialise" not in history.text + answer.text


@pytest.mark.server  # serves on a real port
def test_a_forged_event_that_does_not_replay_is_named_not_a_500(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a second release of Acme's PO forged into the store
    version = forge_release(settings, ACME_PO)
    with serving(settings) as served:
        history, answer = served.history_and_acknowledgement()
    # Then the auditor is told which document stops replaying where, the supplier to come back
    assert history.status_code == 503
    assert (history.json()["type"], history.json()["version"]) == (
        "urn:supplyhub:problem:corrupt_event", version,
    )  # fmt: skip
    assert f"do not replay at version {version}" in history.json()["detail"]
    assert answer.json()["data"]["acknowledgePurchaseOrder"]["code"] == "unavailable"
    # And the CLI names the log position as well
    assert main(["history", ACME_PO]) == 1
    assert capsys.readouterr().err.rstrip().endswith("log position 57")


def test_the_cli_history_of_a_corrupt_event_names_its_log_position(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    garble(settings, ACME_PO, 1)
    assert main(["history", ACME_PO]) == 1
    said = capsys.readouterr().err
    assert said.startswith(f"cannot show purchase order {ACME_PO}: the stored event ")
    assert "at version 1 cannot be read" in said
    assert said.rstrip().endswith("log position 9")
    assert "Traceback" not in said


@pytest.mark.server  # serves on a real port
def test_a_read_only_store_turns_readyz_503_and_writes_into_problems_that_say_so(
    settings: Settings,
) -> None:
    make_read_only(settings)
    with serving(settings) as served:
        ready = served.client.get("/readyz")
        released = served.release("4500009001", lines=1)
    assert ready.status_code == 503
    assert ready.json()["detail"].startswith("the store is read-only: writes are refused")
    assert released.status_code == 503
    assert released.json()["type"] == "urn:supplyhub:problem:read_only"


def test_cli_commands_on_a_read_only_store_say_so_without_a_traceback(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    make_read_only(settings)
    capsys.readouterr()
    assert main(["demo", "--purchase-orders", "5"]) == 1
    assert main(["projections", "rebuild", "purchase_orders"]) == 1
    said = capsys.readouterr().err.splitlines()
    assert said[-2].startswith("supplyhub demo: the store is read-only: writes are refused")
    assert said[-1].startswith("supplyhub projections: the store is read-only")
    # And the audit still verifies it, read-only
    assert main(["audit", "verify"]) == 0


@pytest.mark.server  # serves on a real port
def test_projections_stalled_by_a_full_disk_turn_readyz_503_with_the_reason(
    settings: Settings,
) -> None:
    with serving(settings) as served:
        assert served.client.get("/readyz").status_code == 200
        runner = served.read_side.runner

        def on_a_full_disk() -> None:
            # The runner's own connection may not grow the file: SQLite says "database or
            # disk is full", as on a full disk (the event store's connection still may).
            conn: Any = served.read_side.store._connection()
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {pages}")
            runner.run_forever()

        full = threading.Thread(target=on_a_full_disk, daemon=True)
        full.start()
        # When events arrive that the views have no room for
        assert served.release("4500009002", lines=60).status_code == 201
        stalled = served.ready_until(503)
        runner.stop()
        full.join(10)
        # Then /readyz says why; once there is room again it is ready again
        runner.start()
        recovered = served.ready_until(200)
    assert stalled.json()["detail"].startswith("projections stalled at position ")
    assert "the store's disk is full" in stalled.json()["detail"]
    assert recovered.json()["projection_lag"] == 0


class FullDiskHub(SupplyHub):
    """The in-memory hub, except that every command meets a full disk, wrapped as the
    library wraps the driver's error."""

    def handle(self, command: Any, provenance: Any) -> Any:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError as error:
            raise PersistenceOperationalError(str(error)) from error


def test_writes_refused_by_a_full_disk_are_503_problems_and_turn_readyz_503() -> None:
    hub = FullDiskHub(env=IN_MEMORY)
    # The supplier exists (tokens name known suppliers); the disk filled up after that.
    SupplyHub.handle(hub, UpsertSupplier("SUP-ACME", "Acme"), envelope())
    auth = AuthConfig("store-fault-test-secret-of-32-chars!")
    app = app_over_fake_views(ApiSettings(auth), hub)
    connector = {"Authorization": f"Bearer {auth.issue(Role.CONNECTOR)}"}
    acme = {"Authorization": f"Bearer {auth.issue(Role.SUPPLIER, 't', 'SUP-ACME')}"}
    with TestClient(app) as client:
        ready_before = client.get("/readyz")
        written = client.put(
            "/api/v1/suppliers/SUP-ACME", json={"name": "Acme"},
            headers={**connector, "Idempotency-Key": "full-1"},
        )  # fmt: skip
        acknowledged = client.post("/graphql", json={"query": ACKNOWLEDGE}, headers=acme)
        ready_after = client.get("/readyz")
    hub.close()
    assert ready_before.status_code == 200
    assert written.status_code == 503
    assert written.json()["type"] == "urn:supplyhub:problem:disk_full"
    assert written.json()["detail"].startswith("the store's disk is full")
    assert acknowledged.json()["data"]["acknowledgePurchaseOrder"]["code"] == "unavailable"
    assert ready_after.status_code == 503
    assert ready_after.json()["detail"].startswith("the store's disk is full")
