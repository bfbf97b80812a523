"""Bearer tokens at the edge: whole-number times, a bounded lifetime, typed claims, a supplier
the hub knows; /metrics behind an admin token or on a port of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fake_read_models import app_over_fake_views
from fastapi.testclient import TestClient
from live_server import free_port, serving

from api.auth import AuthConfig, Role
from api.settings import ApiSettings
from domain.application import SupplyHub
from storage.database import IN_MEMORY
from supplyhub.cli import main
from supplyhub.settings import Settings

SECRET = "token-test-secret-of-at-least-32-chars"
AUTH = AuthConfig(SECRET, max_lifetime_seconds=3600)
QUERY = {"query": "{ purchaseOrders(first: 1) { items { number } } }"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    hub = SupplyHub(env=IN_MEMORY)
    app = app_over_fake_views(ApiSettings(AUTH), hub)
    with TestClient(app) as client:
        upsert_supplier(client, "SUP-ACME")
        yield client
    hub.close()


def upsert_supplier(client: TestClient, code: str) -> None:
    connector = {"Authorization": f"Bearer {AUTH.issue(Role.CONNECTOR)}"}
    client.put(
        f"/api/v1/suppliers/{code}", json={"name": code},
        headers={**connector, "Idempotency-Key": f"upsert-{code}"},
    ).raise_for_status()  # fmt: skip


def signed(**changes: Any) -> dict[str, str]:
    """A supplier token signed with the hub's secret, with some claims changed (None drops).
    Made when the module is collected: it lives 50 minutes (within the hub's 3600 s), so a
    full run on a loaded machine reaches these tests before it expires."""
    now = int(time.time())
    claims = {"sub": "portal", "role": "supplier", "supplier": "SUP-ACME", "iss": "supplyhub",
              "iat": now, "exp": now + 3000} | changes  # fmt: skip
    present = {name: value for name, value in claims.items() if value is not None}
    return {"Authorization": "Bearer " + jwt.encode(present, SECRET, algorithm="HS256")}


NOW = int(time.time())
REFUSED = {
    "an exp that is a string": (signed(exp="99999999999"), "exp claim must be a whole number"),
    "an exp of 1e20": (signed(exp=1e20), "exp claim must be a whole number"),
    "an exp that is a fraction": (signed(exp=NOW + 3000.5), "exp claim must be a whole number"),
    "an iat that is a string": (signed(iat=str(NOW)), "iat claim must be a whole number"),
    "an nbf that is a string": (signed(nbf=str(NOW)), "nbf claim must be a whole number"),
    "an exp beyond the longest lifetime": (signed(exp=NOW + 10**8), "lives longer than the 3600"),
    "an exp beyond the lifetime counted from iat": (
        signed(iat=NOW - 7200, exp=NOW + 3000), "lives longer than the 3600",
    ),
    "an exp beyond the lifetime and no iat": (
        signed(iat=None, exp=NOW + 7200), "lives longer than the 3600",
    ),
    "no exp": (signed(exp=None), "lacks a required claim"),
    "an expired exp": (signed(iat=NOW - 1200, exp=NOW - 600), "the token has expired"),
    "a supplier claim of 0": (signed(supplier=0), "supplier claim must be a string"),
    "a supplier claim that is a list": (
        signed(supplier=["SUP-ACME"]), "supplier claim must be a string",
    ),
    "a supplier claim that is an object": (
        signed(supplier={"id": "SUP-ACME"}), "supplier claim must be a string",
    ),
    "a supplier the hub does not know": (
        signed(supplier="SUP-GHOST"), "names supplier 'SUP-GHOST', which this hub does not know",
    ),
    "a supplier role without a supplier": (signed(supplier=None), "must name its supplier"),
    "a role that is a list": (signed(role=["admin"]), "role claim must be a string"),
    "a role the hub has not": (signed(role="root"), "role claim must be one of"),
    "a subject that is a number": (signed(sub=5), "sub claim must be a string"),
    "another issuer": (signed(iss="elsewhere"), "not issued by this hub"),
}  # fmt: skip


@pytest.mark.parametrize("headers, says", REFUSED.values(), ids=REFUSED.keys())
def test_a_token_with_nonsensical_claims_is_refused_with_a_clear_401(
    client: TestClient, headers: dict[str, str], says: str
) -> None:
    graphql = client.post("/graphql", json=QUERY, headers=headers)
    rest = client.get("/api/v1/purchase-orders/4500000001", headers=headers)

    assert graphql.status_code == rest.status_code == 401, graphql.text
    assert says in graphql.json()["detail"] and says in rest.json()["detail"]


def test_a_well_formed_token_of_the_longest_lifetime_is_accepted(client: TestClient) -> None:
    answer = client.post("/graphql", json=QUERY, headers=signed(exp=NOW + 3600, iat=NOW))
    assert answer.status_code == 200 and "errors" not in answer.json()


def test_a_supplier_registered_after_start_is_known_at_once(client: TestClient) -> None:
    before = client.post("/graphql", json=QUERY, headers=signed(supplier="SUP-NEW"))
    upsert_supplier(client, "SUP-NEW")
    after = client.post("/graphql", json=QUERY, headers=signed(supplier="SUP-NEW", sub="again"))
    assert (before.status_code, after.status_code) == (401, 200)


def test_metrics_ask_for_an_admin_token(client: TestClient) -> None:
    anonymous = client.get("/metrics")
    supplier = client.get("/metrics", headers=signed())
    admin = client.get("/metrics", headers={"Authorization": f"Bearer {AUTH.issue(Role.ADMIN)}"})
    assert (anonymous.status_code, supplier.status_code, admin.status_code) == (401, 403, 200)
    assert "supplyhub_http_requests_total" in admin.text


@pytest.mark.server  # serves on a real port
def test_metrics_on_their_own_port_need_no_token_while_the_api_port_still_asks(
    tmp_path: Path,
) -> None:
    with serving(Settings(data_dir=tmp_path, dev_mode=True, metrics_port=free_port()), 4) as live:
        api = httpx.get(f"{live.url}/metrics")
        scraped = httpx.get(f"http://127.0.0.1:{live.settings.metrics_port}/metrics")
    assert api.status_code == 401
    assert scraped.status_code == 200 and "supplyhub_http_requests_total" in scraped.text


def test_token_create_refuses_a_lifetime_the_api_would_refuse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_JWT_MAX_LIFETIME_SECONDS", "3600")
    code = main(["token", "create", "--role", "buyer", "--ttl", "7200"])
    assert code == 2
    assert "--ttl must be between 1 and 3600 seconds" in capsys.readouterr().err
