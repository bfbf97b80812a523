"""The OpenAPI document a developer reads at /docs: the bearer scheme (the Authorize button),
the body every route answers, and pages that load nothing from another origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fake_read_models import app_over_fake_views
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from api.auth import AuthConfig, Role
from api.rest.answers import BulkAnswer, History
from api.settings import ApiSettings
from connectors.demo import run_scenario
from domain.application import SupplyHub
from domain.outcome import Outcome
from projections.read_models import PurchaseOrderView
from storage.database import IN_MEMORY

AUTH = AuthConfig("openapi-secret-of-at-least-32-characters")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    hub = SupplyHub(env=IN_MEMORY)
    run_scenario(hub, 8)
    app = app_over_fake_views(ApiSettings(AUTH, dev_mode=True), hub)
    with TestClient(app) as client:
        yield client
    hub.close()


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {AUTH.issue(role, 'openapi')}"}


def test_the_openapi_declares_a_bearer_scheme_that_every_api_route_requires(
    openapi: dict[str, Any],
) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
    unsecured = [
        name
        for name, operation in operations(openapi)
        if " /api/" in name and not operation.get("security")
    ]
    assert unsecured == []


def _documented_body(content: dict[str, Any]) -> bool:
    """A JSON schema, the XML a cXML partner is answered with (POST /cxml), or raw bytes said
    to be raw (an auditor's kept EDI payload)."""
    structured = ("application/json", "text/xml", "application/xml")
    if any(content.get(media, {}).get("schema") for media in structured):
        return True
    return content.get("application/octet-stream", {}).get("schema", {}).get("format") == "binary"


def test_every_route_documents_the_body_it_answers(openapi: dict[str, Any]) -> None:
    undocumented = [
        f"{name} {status}"
        for name, operation in operations(openapi)
        for status, response in operation["responses"].items()
        if status.startswith("2") and not _documented_body(response.get("content", {}))
    ]
    assert undocumented == []


def test_the_documented_bodies_are_what_the_routes_answer(client: TestClient) -> None:
    buyer = bearer(Role.BUYER)
    read = client.get("/api/v1/purchase-orders/4510000001", headers=buyer)
    history = client.get("/api/v1/purchase-orders/4500000001/history", headers=buyer)
    upsert = client.put(
        "/api/v1/suppliers/SUP-NEW",
        json={"name": "New"},
        headers={**bearer(Role.CONNECTOR), "Idempotency-Key": "openapi-1"},
    )
    bulk = client.post(
        "/api/v1/bulk",
        json={"items": [{"command": "upsert_supplier", "message_id": "m1", "body": {}}]},
        headers=bearer(Role.CONNECTOR),
    )
    assert [r.status_code for r in (read, history, upsert, bulk)] == [200, 200, 200, 200]
    TypeAdapter(PurchaseOrderView).validate_python(read.json(), strict=False)
    assert History.model_validate(history.json()).events
    TypeAdapter(Outcome).validate_python(upsert.json())
    assert BulkAnswer.model_validate(bulk.json()).failed == 1


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/graphql"])
def test_the_pages_load_their_scripts_from_the_hub_and_nothing_from_another_origin(
    client: TestClient, page: str
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert re.findall(r"""(?:src|href)=["']?(https?:)""", response.text) == []
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    for asset in re.findall(r"""(?:src|href)=["']?(/static/[^"' >]+)""", response.text):
        assert client.get(asset).status_code == 200, asset
