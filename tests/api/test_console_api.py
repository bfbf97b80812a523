"""What the console stands on, over HTTP against a real uvicorn and the demo data: the page and
its assets, the sign-in that refuses suppliers, projection positions for operators, and the
assign and resolve mutations (roles from the visibility table, idempotent by key)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from browser import ask, bearer
from live_server import LiveHub

from api.auth import Role

RESOLVE = """mutation($key: String!, $idempotencyKey: String!) {
  resolveException(idempotencyKey: $idempotencyKey, input: {key: $key, resolution: "sorted"}) {
    __typename ... on Accepted { status document replayed }
    ... on Conflict { code detail } ... on Forbidden { detail } ... on NotFound { kind } } }"""
ASSIGN = """mutation($key: String!, $owner: String!, $idempotencyKey: String!) {
  assignException(idempotencyKey: $idempotencyKey, input: {key: $key, owner: $owner}) {
    __typename ... on Accepted { status replayed } ... on Forbidden { detail } } }"""
CASES = "{ exceptions(status: null, first: 100) { items { key status owner ownerRole } } }"


def caught_up(live: LiveHub) -> dict[str, dict[str, Any]]:
    """Every case once the views reflect everything written so far, by key."""
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, 10)
    return {case["key"]: case for case in ask(live, CASES, Role.ADMIN)["exceptions"]["items"]}


def open_case(live: LiveHub, owner_role: str) -> str:
    """An open case nobody works yet (the tests share the hub, each works its own case)."""
    return next(
        key for key, case in caught_up(live).items()
        if case["status"] == "open" and case["ownerRole"] == owner_role and not case["owner"]
    )  # fmt: skip


def test_the_console_page_and_its_own_assets_are_served_with_a_same_origin_policy(
    live: LiveHub,
) -> None:
    page = httpx.get(f"{live.url}/console")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    for asset in ("static/console/console.js", "static/console/console.css"):  # relative
        assert f'"{asset}"' in page.text
        assert httpx.get(f"{live.url}/{asset}").status_code == 200
    assert "https://" not in page.text


@pytest.mark.parametrize(
    ("role", "works_cases", "sees_technical", "releases"),
    [
        (Role.BUYER, True, True, False),
        (Role.AP, True, False, False),
        (Role.AUDITOR, False, True, False),
        (Role.ADMIN, True, True, True),
    ],
)
def test_the_console_session_names_the_internal_role_and_what_it_may_do(
    live: LiveHub, role: Role, works_cases: bool, sees_technical: bool, releases: bool
) -> None:
    answer = httpx.get(f"{live.url}/console/session", headers=bearer(live, role))
    assert answer.status_code == 200
    assert answer.json() == {
        "subject": f"{role}-user", "role": str(role), "may_work_cases": works_cases,
        "may_see_technical": sees_technical, "may_release_dead_letters": releases,
    }  # fmt: skip


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CONNECTOR])
def test_the_console_session_refuses_suppliers_and_connectors(live: LiveHub, role: Role) -> None:
    answer = httpx.get(f"{live.url}/console/session", headers=bearer(live, role))
    assert answer.status_code == 403
    assert answer.json()["detail"] == f"role {role} may not do this"


def test_the_console_session_without_a_token_is_unauthenticated(live: LiveHub) -> None:
    assert httpx.get(f"{live.url}/console/session").status_code == 401


def test_projection_positions_are_what_the_read_side_reports_to_operators_only(
    live: LiveHub,
) -> None:
    answer = httpx.get(f"{live.url}/console/projections", headers=bearer(live, Role.AUDITOR))
    assert answer.status_code == 200
    expected = {s.name: (s.version, s.live) for s in live.read_side.status()}
    assert {p["name"]: (p["version"], p["live"]) for p in answer.json()} == expected
    assert all(p["position"] <= p["head"] for p in answer.json())
    for refused in (Role.AP, Role.SUPPLIER, Role.CONNECTOR):
        denied = httpx.get(f"{live.url}/console/projections", headers=bearer(live, refused))
        assert denied.status_code == 403, refused


def test_a_buyer_resolves_a_case_and_the_same_key_again_is_a_replay_not_a_second_event(
    live: LiveHub,
) -> None:
    key = open_case(live, "buyer")
    first = ask(live, RESOLVE, Role.BUYER, key=key, idempotencyKey="console-resolve-1")
    head = live.hub.recorder.max_notification_id()
    again = ask(live, RESOLVE, Role.BUYER, key=key, idempotencyKey="console-resolve-1")

    assert first["resolveException"] == {
        "__typename": "Accepted", "status": "applied", "document": f"exception:{key}",
        "replayed": False,
    }  # fmt: skip
    assert again["resolveException"]["replayed"] is True
    assert live.hub.recorder.max_notification_id() == head
    assert caught_up(live)[key]["status"] == "resolved"


def test_resolving_a_resolved_case_under_a_new_key_is_a_conflict(live: LiveHub) -> None:
    key = open_case(live, "ap")
    ask(live, RESOLVE, Role.AP, key=key, idempotencyKey="console-resolve-2")
    later = ask(live, RESOLVE, Role.AP, key=key, idempotencyKey="console-resolve-3")
    assert later["resolveException"]["__typename"] == "Conflict"
    assert "already resolved" in later["resolveException"]["detail"]


def test_assigning_a_case_names_its_owner_in_the_queue(live: LiveHub) -> None:
    key = open_case(live, "buyer")
    answer = ask(live, ASSIGN, Role.BUYER, key=key, owner="bea", idempotencyKey="console-as-1")
    assert answer["assignException"] == {
        "__typename": "Accepted", "status": "applied", "replayed": False,
    }  # fmt: skip
    assert caught_up(live)[key]["owner"] == "bea"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SUPPLIER])
def test_an_auditor_or_a_supplier_may_not_work_a_case_and_it_stays_open(
    live: LiveHub, role: Role
) -> None:
    key = open_case(live, "buyer")
    for query, variables in ((RESOLVE, {}), (ASSIGN, {"owner": "someone"})):
        answer = ask(live, query, role, key=key, idempotencyKey=f"console-{role}", **variables)
        assert next(iter(answer.values()))["__typename"] == "Forbidden"
    assert caught_up(live)[key] == {
        "key": key, "status": "open", "owner": "", "ownerRole": "buyer",
    }  # fmt: skip
