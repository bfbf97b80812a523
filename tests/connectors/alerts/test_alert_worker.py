"""The alert worker's step on either store, against a real HTTP receiver and a real SMTP
server in the test: rules defined with the CLI, cases opened by suppliers' rejections, the
views caught up as `supplyhub serve` keeps them."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from given import envelope, lines, unique
from pydantic import SecretStr
from receivers import smtp_receiver, webhook_receiver

from connectors.alerts.worker import AlertWorker
from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from supplyhub import alerts
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings

SECRET = "alert-signing-secret-for-tests"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hub:
    settings: Settings
    hub: SupplyHub
    read_side: ReadSide
    clock: Clock

    def worker(self) -> AlertWorker:
        """A new worker process, as `supplyhub worker alerts` starts one."""
        return alerts.build_worker(self.settings, self.hub, self.clock)

    def rule(self, name: str, *options: str) -> None:
        assert main(["alerts", "rules", "add", name, *options]) == 0

    def rejected_case(self, supplier: str) -> str:
        """A supplier rejects a line of a new order: a `line_rejected` case (due in 24 h)."""
        number = unique("PO")
        self.hub.handle(c.UpsertSupplier(supplier, supplier), envelope())
        self.hub.handle(c.ReleasePurchaseOrder(number, supplier, "EUR", lines(1)), envelope())
        answer = c.LineAnswer(10, AckStatus.REJECTED, "R", note="no capacity")
        outcome = self.hub.handle(c.AcknowledgePurchaseOrder(number, 1, (answer,)), envelope())
        self.read_side.runner.catch_up()
        return outcome.exceptions[0]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Hub]:
    """A fresh store of each kind; the CLI reads the same settings from the environment."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SUPPLYHUB_DATABASE_URL", url)
    settings = Settings(
        data_dir=tmp_path, database_url=url, alerts_webhook_secret=SecretStr(SECRET),
        alerts_smtp_host="127.0.0.1",
    )  # fmt: skip
    opened = open_hub(settings)
    read_side = open_read_side(settings, opened, listen=False)
    try:
        yield Hub(settings, opened, read_side, Clock(datetime.now().astimezone()))
    finally:
        read_side.close()
        opened.close()


def signed(request_headers: dict[str, str], body: bytes) -> bool:
    timestamp = request_headers["x-supplyhub-timestamp"].encode()
    digest = hmac.new(SECRET.encode(), timestamp + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request_headers["x-supplyhub-signature"], f"sha256={digest}")


def sent(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["alerts", "list", "--json"]) == 0
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def test_a_webhook_alert_is_signed_and_delivered_once_across_failures_and_a_restart(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    with webhook_receiver([503, 500]) as receiver:
        hub.rule("rejections", "--trigger", "opened", "--category", "line_rejected",
                 "--webhook", receiver.url)  # fmt: skip
        case = hub.rejected_case("SUP-ACME")

        assert hub.worker().step() == 1
        assert hub.worker().step() == 0  # a restarted worker sends nothing again

    assert len(receiver.requests) == 3  # two 5xx, then accepted
    keys = {r.headers["idempotency-key"] for r in receiver.requests}
    assert len(keys) == 1
    assert all(signed(r.headers, r.body) for r in receiver.requests)
    alert = json.loads(receiver.requests[-1].body)
    assert (alert["rule"], alert["trigger"], alert["case"]["key"]) == (
        "rejections", "opened", case,
    )  # fmt: skip
    assert alert["alert_id"] in keys
    assert alert["case"]["plants"] == ["PLANT-DE01"]
    [record] = sent(capsys)
    assert (record["status"], record["attempts"], record["case_key"]) == ("sent", 3, case)


def test_an_alert_cut_off_by_a_crash_is_sent_again_under_the_same_id(hub: Hub) -> None:
    with webhook_receiver() as receiver:
        hub.rule("all-opened", "--trigger", "opened", "--webhook", receiver.url)
        hub.rejected_case("SUP-ACME")
        hub.worker().step()
        [first] = receiver.requests
        alert_id = first.headers["idempotency-key"]
        # As a crash between the receiver's answer and the row's update leaves it:
        alerts.delivery_store(hub.settings).finish(alert_id, "pending", 0, "", "")

        hub.worker().step()
        hub.worker().step()

    assert [r.headers["idempotency-key"] for r in receiver.requests] == [alert_id, alert_id]
    assert json.loads(receiver.requests[1].body)["alert_id"] == alert_id


def test_a_refused_webhook_is_recorded_as_failed_and_not_sent_again(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    with webhook_receiver([400, 400]) as receiver:
        hub.rule("all-opened", "--trigger", "opened", "--webhook", receiver.url)
        hub.rejected_case("SUP-ACME")

        hub.worker().step()
        hub.worker().step()

    assert len(receiver.requests) == 1
    [record] = sent(capsys)
    assert (record["status"], record["attempts"]) == ("failed", 1)
    assert "400" in str(record["detail"])


def test_a_signature_made_with_another_secret_does_not_verify(hub: Hub) -> None:
    with webhook_receiver() as receiver:
        hub.rule("all-opened", "--trigger", "opened", "--webhook", receiver.url)
        hub.rejected_case("SUP-ACME")
        hub.worker().step()

    [request] = receiver.requests
    tampered = dict(request.headers, **{"x-supplyhub-timestamp": "1"})
    assert signed(request.headers, request.body)
    assert not signed(tampered, request.body)  # an old delivery under a new timestamp
    assert not signed(request.headers, request.body.replace(b"SUP-ACME", b"SUP-EVIL"))


def test_a_rule_for_one_supplier_or_plant_does_not_fire_for_another(hub: Hub) -> None:
    with webhook_receiver() as receiver:
        hub.rule("acme", "--trigger", "opened", "--supplier", "SUP-ACME",
                 "--webhook", receiver.url)  # fmt: skip
        hub.rule("other-plant", "--trigger", "opened", "--plant", "PLANT-US09",
                 "--webhook", receiver.url)  # fmt: skip
        hub.rejected_case("SUP-BOLT")
        hub.worker().step()
        assert receiver.requests == []

        acme = hub.rejected_case("SUP-ACME")
        hub.worker().step()

    [request] = receiver.requests
    alert = json.loads(request.body)
    assert (alert["rule"], alert["case"]["key"]) == ("acme", acme)


def test_an_sla_rule_fires_once_the_clock_passes_the_due_time(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    with webhook_receiver() as receiver:
        hub.rule("late", "--trigger", "sla_breached", "--webhook", receiver.url)
        case = hub.rejected_case("SUP-ACME")
        due = hub.read_side.read_models.exceptions(None, "open")[0].due_at
        hub.clock.now = due - timedelta(minutes=1)
        assert hub.worker().step() == 0

        hub.clock.now = due + timedelta(minutes=1)
        assert hub.worker().step() == 1
        assert hub.worker().step() == 0

    [request] = receiver.requests
    assert json.loads(request.body)["case"]["key"] == case
    assert json.loads(request.body)["trigger"] == "sla_breached"
    assert json.loads(request.body)["case"]["plants"] == ["PLANT-DE01"]


def test_an_age_rule_fires_for_a_case_open_longer_than_its_hours(hub: Hub) -> None:
    with webhook_receiver() as receiver:
        hub.rule("stuck", "--trigger", "open_longer", "--hours", "4", "--webhook", receiver.url)
        hub.rejected_case("SUP-ACME")
        opened = hub.read_side.read_models.exceptions(None, "open")[0].opened_at
        hub.clock.now = opened + timedelta(hours=3)
        hub.worker().step()
        assert receiver.requests == []

        hub.clock.now = opened + timedelta(hours=5)
        hub.worker().step()

    assert [json.loads(r.body)["trigger"] for r in receiver.requests] == ["open_longer"]


def test_an_email_alert_reaches_the_smtp_server(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_receiver() as mailbox:
        hub.settings = hub.settings.model_copy(update={"alerts_smtp_port": mailbox.port})
        hub.rule("mail", "--trigger", "opened", "--email", "buyer@plant.example, ops@plant.example")
        case = hub.rejected_case("SUP-ACME")

        hub.worker().step()

    [(sender, recipients, message)] = mailbox.messages
    assert sender == "supplyhub@localhost"
    assert recipients == ["buyer@plant.example", "ops@plant.example"]
    assert "line_rejected" in message["Subject"]
    assert case in message.get_payload()
    assert sent(capsys)[0]["status"] == "sent"


def test_a_rule_defined_after_a_case_was_opened_does_not_alert_it_as_opened(hub: Hub) -> None:
    with webhook_receiver() as receiver:
        hub.rejected_case("SUP-ACME")
        hub.rule("later", "--trigger", "opened", "--webhook", receiver.url)
        hub.worker().step()

    assert receiver.requests == []


def test_unsent_without_a_webhook_secret_names_the_setting(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.settings = hub.settings.model_copy(update={"alerts_webhook_secret": SecretStr("")})
    hub.rule("no-secret", "--trigger", "opened", "--webhook", "http://127.0.0.1:9/none")
    hub.rejected_case("SUP-ACME")

    hub.worker().step()

    [record] = sent(capsys)
    assert record["status"] == "failed"
    assert "SUPPLYHUB_ALERTS_WEBHOOK_SECRET" in str(record["detail"])


def test_a_rule_with_bad_terms_is_refused_naming_the_field(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["alerts", "rules", "add", "x", "--trigger", "open_longer", "--webhook", "u"])

    assert code == 2
    assert "open_hours: must be at least 1" in capsys.readouterr().err


def test_a_disabled_rule_sends_nothing_until_it_is_enabled_again(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    with webhook_receiver() as receiver:
        hub.rule("late", "--trigger", "sla_breached", "--webhook", receiver.url)
        assert main(["alerts", "rules", "disable", "late", "--reason", "holiday"]) == 0
        hub.rejected_case("SUP-ACME")
        hub.clock.now = hub.read_side.read_models.exceptions(None, "open")[0].due_at
        hub.clock.now += timedelta(minutes=1)
        hub.worker().step()
        assert receiver.requests == []
        capsys.readouterr()
        assert main(["alerts", "rules", "list", "--json"]) == 0
        [listed] = json.loads(capsys.readouterr().out)
        assert (listed["enabled"], listed["reason"]) == (False, "holiday")

        assert main(["alerts", "rules", "enable", "late", "--reason", "back"]) == 0
        hub.worker().step()

    assert [json.loads(r.body)["rule"] for r in receiver.requests] == ["late"]
