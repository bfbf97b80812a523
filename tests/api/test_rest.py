"""REST for connectors in process: roles, idempotency, bulk results per item, error shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_read_models import app_over_fake_views
from fastapi.testclient import TestClient

from api.auth import AuthConfig, Role
from api.settings import ApiSettings
from domain.application import SupplyHub
from storage.database import IN_MEMORY

AUTH = AuthConfig("rest-test-secret-of-at-least-32-chars")
LINE = {"line_number": 10, "item": "BRKT-1001", "quantity": "5", "uom": "EA",
        "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip


def bearer(role: Role, supplier: str = "") -> dict[str, str]:
    return {"Authorization": f"Bearer {AUTH.issue(role, 'tester', supplier)}"}


CONNECTOR = bearer(Role.CONNECTOR)


def release(number: str, supplier: str = "SUP-ACME") -> dict[str, Any]:
    return {"po_number": number, "supplier": supplier, "currency": "EUR", "lines": [LINE]}


@pytest.fixture
def client() -> Iterator[TestClient]:
    hub = SupplyHub(env=IN_MEMORY)
    app = app_over_fake_views(ApiSettings(AUTH, max_body_bytes=4096), hub)
    with TestClient(app) as client:
        client.put(
            "/api/v1/suppliers/SUP-ACME", json={"name": "Acme"},
            headers={**CONNECTOR, "Idempotency-Key": "sup-1"},
        )  # fmt: skip
        yield client
    hub.close()


def test_a_request_without_a_valid_token_is_401_problem(client: TestClient) -> None:
    missing = client.post("/api/v1/purchase-orders", json=release("1"))
    forged = client.post(
        "/api/v1/purchase-orders", json=release("1"),
        headers={"Authorization": "Bearer " + AuthConfig("x" * 32).issue(Role.CONNECTOR)},
    )  # fmt: skip
    assert missing.status_code == forged.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_supplier_token_may_not_release_purchase_orders(client: TestClient) -> None:
    response = client.post(
        "/api/v1/purchase-orders", json=release("1"),
        headers={**bearer(Role.SUPPLIER, "SUP-ACME"), "Idempotency-Key": "k"},
    )  # fmt: skip
    assert response.status_code == 403


def test_a_supplier_token_may_not_read_the_audit_history(client: TestClient) -> None:
    response = client.get(
        "/api/v1/purchase-orders/1/history", headers=bearer(Role.SUPPLIER, "SUP-ACME")
    )
    assert response.status_code == 403


def test_a_write_without_an_idempotency_key_is_422_naming_the_header(client: TestClient) -> None:
    response = client.post("/api/v1/purchase-orders", json=release("1"), headers=CONNECTOR)
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"


def test_reusing_a_key_for_a_different_document_is_refused(client: TestClient) -> None:
    headers = {**CONNECTOR, "Idempotency-Key": "same"}
    client.post("/api/v1/purchase-orders", json=release("1"), headers=headers)
    reused = client.post("/api/v1/purchase-orders", json=release("2"), headers=headers)
    assert reused.status_code == 422
    assert reused.json()["type"] == "urn:supplyhub:problem:idempotency_key_reused"


def test_a_bulk_request_answers_each_item_in_order(client: TestClient) -> None:
    items = [
        {"command": "release_purchase_order", "message_id": "b-1", "body": release("11")},
        {"command": "release_purchase_order", "message_id": "b-2", "body": {"po_number": "12"}},
        {"command": "release_purchase_order", "message_id": "b-3",
         "body": release("13", supplier="SUP-NOBODY")},
        {"command": "release_purchase_order", "message_id": "b-4", "body": release("14")},
    ]  # fmt: skip
    first = client.post("/api/v1/bulk", json={"items": items}, headers=CONNECTOR).json()
    again = client.post("/api/v1/bulk", json={"items": items[:1]}, headers=CONNECTOR).json()
    assert [r["status"] for r in first["results"]] == [201, 422, 422, 201]
    assert first["results"][1]["problem"]["field"] == "supplier"
    assert first["results"][2]["problem"]["rule"].startswith("unknown supplier")
    assert (first["accepted"], first["failed"]) == (2, 2)
    assert again["results"][0]["status"] == 200 and again["results"][0]["outcome"]["replayed"]


def test_a_bulk_item_answers_the_status_its_single_request_answers(client: TestClient) -> None:
    supplier = {"supplier": "SUP-BOREAL", "name": "Boreal"}
    cancel = {"po_number": "21", "reason": "not needed"}
    items = [
        {"command": "upsert_supplier", "message_id": "s-1", "body": supplier},
        {"command": "release_purchase_order", "message_id": "s-2", "body": release("21")},
        {"command": "cancel_purchase_order", "message_id": "s-3", "body": cancel},
    ]
    bulk = client.post("/api/v1/bulk", json={"items": items}, headers=CONNECTOR).json()
    single = [
        client.put("/api/v1/suppliers/SUP-BOREAL", json={"name": "Boreal"},
                   headers={**CONNECTOR, "Idempotency-Key": "one-1"}),
        client.post("/api/v1/purchase-orders", json=release("22"),
                    headers={**CONNECTOR, "Idempotency-Key": "one-2"}),
        client.post("/api/v1/purchase-orders/22/cancellation", json={"reason": "not needed"},
                    headers={**CONNECTOR, "Idempotency-Key": "one-3"}),
    ]  # fmt: skip
    assert [r["status"] for r in bulk["results"]] == [r.status_code for r in single]
    assert [r.status_code for r in single] == [200, 201, 200]


def test_an_unknown_field_in_a_body_is_refused_naming_it(client: TestClient) -> None:
    body = release("31")
    body["lines"] = [{**LINE, "colour": "red"}]
    single = client.post(
        "/api/v1/purchase-orders", json=body, headers={**CONNECTOR, "Idempotency-Key": "u-1"}
    )
    route = client.post(
        "/api/v1/purchase-orders/31/cancellation", json={"reason": "x", "urgent": True},
        headers={**CONNECTOR, "Idempotency-Key": "u-2"},
    )  # fmt: skip
    assert single.status_code == route.status_code == 422
    assert single.json()["detail"] == "lines[0].colour: unknown field"
    assert route.json()["detail"] == "urgent: unknown field"


def test_an_unknown_field_in_a_bulk_item_is_refused_naming_it(client: TestClient) -> None:
    body = {**release("32"), "priority": "high"}
    items = [{"command": "release_purchase_order", "message_id": "u-3", "body": body}]
    answer = client.post("/api/v1/bulk", json={"items": items}, headers=CONNECTOR).json()
    envelope = client.post(
        "/api/v1/bulk", json={"items": [{**items[0], "message_id": "u-4", "note": "x"}]},
        headers=CONNECTOR,
    )  # fmt: skip
    assert answer["results"][0]["status"] == 422
    assert answer["results"][0]["problem"]["detail"] == "priority: unknown field"
    assert envelope.status_code == 422
    assert envelope.json()["field"] == "items[0].note"


def test_a_bulk_item_may_not_speak_for_a_supplier(client: TestClient) -> None:
    item = {"command": "acknowledge_purchase_order", "message_id": "b-9", "body": {}}
    response = client.post("/api/v1/bulk", json={"items": [item]}, headers=CONNECTOR)
    assert response.status_code == 422
    assert response.json()["field"] == "items[0].command"


def test_a_body_over_the_limit_is_413_even_without_a_content_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"items": ['
        yield b" " * 5000
        yield b"]}"

    response = client.post(
        "/api/v1/bulk", content=chunks(), headers={**CONNECTOR, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
