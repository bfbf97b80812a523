"""Alert routing over HTTP against a real uvicorn and the demo data: the rules (an admin's
to change, each change recorded with who and why; the console's operators read them), and the
alerts the worker sent, as `GET /api/v1/alerts` lists them."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
from browser import bearer
from live_server import LiveHub
from pydantic import SecretStr
from receivers import webhook_receiver

from api.auth import Role
from supplyhub import alerts

TERMS = {"trigger": "open_longer", "open_hours": 4, "supplier": "SUP-ACME",
         "destination": "webhook", "target": "https://ops.example/hooks/hub"}  # fmt: skip


def put_rule(live: LiveHub, name: str, body: object, role: Role = Role.ADMIN,
             key: str = "") -> httpx.Response:  # fmt: skip
    headers = {**bearer(live, role), "Idempotency-Key": key or str(uuid.uuid4())}
    return httpx.put(f"{live.url}/api/v1/alerts/rules/{name}", json=body, headers=headers)


def rules(live: LiveHub) -> dict[str, dict[str, object]]:
    answer = httpx.get(f"{live.url}/api/v1/alerts/rules", headers=bearer(live, Role.ADMIN))
    assert answer.status_code == 200, answer.text
    return {rule["name"]: rule for rule in answer.json()}


def test_an_admin_defines_a_rule_and_it_is_listed_with_who_changed_it(live: LiveHub) -> None:
    first = put_rule(live, "acme-stuck", TERMS, key="rule-key-1")
    again = put_rule(live, "acme-stuck", TERMS, key="rule-key-1")

    assert first.status_code == 200, first.text
    assert first.json()["document"] == "alert-rule:acme-stuck"
    assert again.headers.get("Idempotent-Replayed") == "true"
    found = rules(live)["acme-stuck"]
    assert found | {"changed_at": ""} == {
        "name": "acme-stuck", "trigger": "open_longer", "open_hours": 4, "category": "",
        "supplier": "SUP-ACME", "plant": "", "destination": "webhook",
        "target": "https://ops.example/hooks/hub", "changed_by": "admin:admin-user",
        "changed_at": "", "enabled": True, "reason": "",
    }  # fmt: skip


def test_only_an_admin_changes_the_rules(live: LiveHub) -> None:
    put_rule(live, "kept", TERMS)
    for role in (Role.BUYER, Role.AP, Role.AUDITOR, Role.SUPPLIER, Role.CONNECTOR):
        headers = {**bearer(live, role), "Idempotency-Key": str(uuid.uuid4())}
        url = f"{live.url}/api/v1/alerts/rules/kept"
        assert put_rule(live, "nope", TERMS, role).status_code == 403, role
        assert httpx.delete(url, headers=headers).status_code == 403, role
        assert httpx.post(f"{url}/disable", json={}, headers=headers).status_code == 403, role
    assert "nope" not in rules(live)
    assert rules(live)["kept"]["enabled"] is True


def test_the_consoles_operators_read_the_rules_and_the_alerts_and_others_do_not(
    live: LiveHub,
) -> None:
    for role, status in ((Role.BUYER, 200), (Role.AUDITOR, 200), (Role.AP, 403),
                         (Role.SUPPLIER, 403), (Role.CONNECTOR, 403)):  # fmt: skip
        for path in ("/api/v1/alerts/rules", "/api/v1/alerts"):
            answer = httpx.get(f"{live.url}{path}", headers=bearer(live, role))
            assert answer.status_code == status, (role, path)


def test_a_disabled_rule_is_listed_with_who_and_why_and_enabled_again(live: LiveHub) -> None:
    put_rule(live, "paused", {**TERMS, "reason": "acme is slow to answer"})
    url = f"{live.url}/api/v1/alerts/rules/paused"

    def change(action: str, reason: str, key: str = "") -> httpx.Response:
        headers = {**bearer(live, Role.ADMIN), "Idempotency-Key": key or str(uuid.uuid4())}
        return httpx.post(f"{url}/{action}", json={"reason": reason}, headers=headers)

    defined = rules(live)["paused"]
    disabled = change("disable", "acme on holiday", key="pause-1")
    replayed = change("disable", "acme on holiday", key="pause-1")
    twice = change("disable", "again")
    after_disable = rules(live)["paused"]
    enabled = change("enable", "acme back")

    assert defined["reason"] == "acme is slow to answer"
    assert disabled.status_code == 200, disabled.text
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert twice.status_code == 409
    assert after_disable["enabled"] is False
    assert after_disable["reason"] == "acme on holiday"
    assert after_disable["changed_by"] == "admin:admin-user"
    assert enabled.status_code == 200, enabled.text
    assert rules(live)["paused"] | {"changed_at": ""} == {**defined, "changed_at": "",
                                                         "reason": "acme back"}  # fmt: skip


def test_a_rule_with_bad_terms_or_unknown_fields_is_refused_naming_them(live: LiveHub) -> None:
    no_hours = put_rule(live, "bad", {**TERMS, "open_hours": 0})
    unknown = put_rule(live, "bad", {**TERMS, "colour": "red"})
    not_a_url = put_rule(live, "bad", {**TERMS, "target": "ftp://x"})

    assert no_hours.status_code == 422
    assert "open_hours" in no_hours.text
    assert unknown.status_code == 422
    assert "colour" in unknown.text
    assert not_a_url.status_code == 422
    assert "http(s) URL" in not_a_url.text


def test_every_broken_term_is_named_in_one_answer(live: LiveHub) -> None:
    answer = put_rule(live, "bad", {**TERMS, "open_hours": 0, "target": "ftp://x",
                                    "category": "weather"})  # fmt: skip

    assert answer.status_code == 422
    named = {error["field"] for error in answer.json()["errors"]}
    assert named == {"open_hours", "target", "category"}


def test_a_removed_rule_leaves_the_list_and_removing_it_again_is_a_conflict(
    live: LiveHub,
) -> None:
    put_rule(live, "short-lived", TERMS)
    headers = {**bearer(live, Role.ADMIN), "Idempotency-Key": str(uuid.uuid4())}
    url = f"{live.url}/api/v1/alerts/rules/short-lived"

    removed = httpx.request("DELETE", url, json={"reason": "not needed"}, headers=headers)
    again = httpx.delete(url, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    unknown = httpx.post(f"{url}/enable", json={"reason": "x"},
                         headers={**headers, "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip

    assert removed.status_code == 200, removed.text
    assert unknown.status_code == 409
    assert "short-lived" not in rules(live)
    assert again.status_code == 409


def test_the_alerts_sent_are_listed_newest_first_with_their_status(live: LiveHub) -> None:
    with webhook_receiver() as receiver:
        put_rule(live, "breached", {"trigger": "sla_breached", "destination": "webhook",
                                    "target": receiver.url})  # fmt: skip
        live.read_side.runner.catch_up()
        open_cases = live.read_side.read_models.exceptions(None, "open")
        later = max(case.due_at for case in open_cases) + timedelta(minutes=1)
        settings = live.settings.model_copy(
            update={"alerts_webhook_secret": SecretStr("a-secret-of-16-chars")}
        )
        worker = alerts.build_worker(settings, live.hub, lambda: later)
        worker.step()

    answer = httpx.get(f"{live.url}/api/v1/alerts", headers=bearer(live, Role.ADMIN))

    assert answer.status_code == 200, answer.text
    listed = [a for a in answer.json() if a["rule"] == "breached"]
    assert len(listed) == len(open_cases) == len(receiver.requests) > 0
    assert {a["case_key"] for a in listed} == {c.key for c in open_cases}
    assert {(a["status"], a["attempts"], a["destination"]) for a in listed} == {
        ("sent", 1, "webhook")
    }
    assert {json.loads(r.body)["alert_id"] for r in receiver.requests} == {
        a["alert_id"] for a in listed
    }


def test_an_unknown_query_parameter_is_refused_naming_it(live: LiveHub) -> None:
    answer = httpx.get(f"{live.url}/api/v1/alerts?lmit=5", headers=bearer(live, Role.ADMIN))

    assert answer.status_code == 422
    assert "lmit: unknown query parameter; this route takes limit" in answer.text
