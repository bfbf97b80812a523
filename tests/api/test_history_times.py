"""One rule for a point in time, REST and CLI alike: an ISO time with its UTC offset
(`supplyhub history --as-of` is tested in tests/test_cli_output.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_read_models import FakeReadModels
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import AuthConfig, Role
from api.health import Readiness
from connectors.demo import run_scenario
from domain.application import SupplyHub

AUTH = AuthConfig("history-secret-of-at-least-32-characters")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    hub = SupplyHub()
    run_scenario(hub, 4)
    app = create_app(hub, FakeReadModels.two_suppliers(), lambda: Readiness(True, 0), AUTH)
    with TestClient(app) as client:
        yield client
    hub.close()


def history(client: TestClient, as_of: str) -> tuple[int, dict[str, object]]:
    response = client.get(
        "/api/v1/purchase-orders/4500000004/history",
        params={"as_of": as_of},
        headers={"Authorization": f"Bearer {AUTH.issue(Role.AUDITOR, 'kim')}"},
    )
    return response.status_code, response.json()


def test_rest_refuses_a_time_without_offset_naming_as_of(client: TestClient) -> None:
    status, answer = history(client, "2026-12-01T19:23:54")
    assert status == 422
    assert answer["field"] == "as_of"


def test_rest_takes_a_time_with_an_offset_or_z(client: TestClient) -> None:
    assert history(client, "2026-12-01T19:23:54Z")[0] == 200
    assert history(client, "2026-12-01T19:23:54+01:00")[0] == 200
