"""Trading with mock-edi through the EDI worker: a hub over a temporary data directory with
the worker beside it, a partner registered at the mock for one test, a PO released over REST,
and what GraphQL then shows of it."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from composed import composed
from edi_partner import MockEdi
from fastapi.testclient import TestClient

from api.auth import Role
from connectors.gateway.outbound import EdiOutbound
from supplyhub.read_side import ReadSide
from supplyhub.settings import Settings
from supplyhub.workers import build_edi

SUPPLIER = "MOCKEDI"
_LOOKS = itertools.count()


@dataclass
class Hub:
    client: TestClient
    read_side: ReadSide
    worker: EdiOutbound
    partners: Path
    connector: dict[str, str]
    buyer: dict[str, str]
    auditor: dict[str, str]


@contextmanager
def trading_hub(tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(data_dir=tmp_path, dev_mode=True)
    (tmp_path / "partners").mkdir()
    with composed(settings) as hub, TestClient(hub.app) as client:
        yield Hub(
            client, hub.read_side, build_edi(settings, hub.store), tmp_path / "partners",
            hub.bearer(Role.CONNECTOR, "erp"), hub.bearer(Role.BUYER, "kim"),
            hub.bearer(Role.AUDITOR, "ada"),
        )  # fmt: skip


def a_mock_partner(mock_edi: MockEdi, dialect: str, behaviour: str = "accept") -> str:
    """A partner registered at the mock for this test only: the hub's id there."""
    us = f"HUB{uuid.uuid4().hex[:8].upper()}"
    version = "004010" if dialect == "X12" else "D:96A:UN"
    answer = httpx.post(
        f"{mock_edi.url}/_mock/partners",
        json={"id": us, "name": "Supply Hub", "dialect": dialect, "version": version,
              "qualifier": "ZZ", "behaviour": behaviour},
        timeout=10,
    )  # fmt: skip
    answer.raise_for_status()
    return us


def trade_with(
    hub: Hub, mock_edi: MockEdi, dialect: str, *, url: str = "", behaviour: str = "accept"
) -> str:
    """The hub's partner profile for the mock, in ``dialect``; returns the partner id."""
    us = a_mock_partner(mock_edi, dialect, behaviour)
    x12 = dialect == "X12"
    profile = {
        "partner": "mock-edi", "supplier": SUPPLIER,
        "dialect": "x12" if x12 else "edifact", "version": "004010" if x12 else "D96A",
        "ours": {"qualifier": "ZZ", "id": us}, "theirs": {"qualifier": "ZZ", "id": "MOCKEDI"},
        "units": {"EA": "EA"} if x12 else {"PCE": "EA"}, "currency": "USD",
        "url": url or f"{mock_edi.url}/edi",
        "pickup_url": f"{mock_edi.url}/_mock/mailbox?partner={us}&raw",
    }  # fmt: skip
    (hub.partners / "mock-edi.json").write_text(json.dumps(profile))
    return us


def release(hub: Hub, number: str) -> None:
    headers = {**hub.connector, "Idempotency-Key": f"sup-{number}"}
    answer = hub.client.put(f"/api/v1/suppliers/{SUPPLIER}", json={"name": "Mock"}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    lines = [
        {"line_number": 1, "item": "WIDGET-001", "quantity": "100", "uom": "EA",
         "unit_price": "12.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"},
        {"line_number": 2, "item": "GEAR-100", "quantity": "2.5", "uom": "EA",
         "unit_price": "8.90", "need_by": "2026-12-21", "ship_to": "PLANT-1"},
    ]  # fmt: skip
    answer = hub.client.post(
        "/api/v1/purchase-orders",
        json={"po_number": number, "supplier": SUPPLIER, "currency": "USD", "lines": lines},
        headers={**hub.connector, "Idempotency-Key": f"po-{number}"},
    )
    assert answer.status_code == 201, answer.text


def order_seen(hub: Hub, number: str) -> dict[str, Any]:
    hub.read_side.runner.catch_up()
    query = (
        f"# look {next(_LOOKS)}\n"
        "query($n: String!) { purchaseOrder(number: $n) { acknowledgedRevision "
        "lines { lineNumber ackStatus ackSourceCode confirmedQuantity } } }"
    )
    answer = hub.client.post(
        "/graphql", json={"query": query, "variables": {"n": number}}, headers=hub.buyer
    )
    assert answer.status_code == 200, answer.text
    seen: dict[str, Any] = answer.json()["data"]["purchaseOrder"]
    return seen


def after_trading(hub: Hub, mock_edi: MockEdi, behaviour: str, number: str) -> dict[str, Any]:
    """The PO's lines and open exception cases once the worker traded with a mock partner
    that behaves as ``behaviour``."""
    if behaviour:  # else: only look again
        trade_with(hub, mock_edi, "X12", behaviour=behaviour)
        release(hub, number)
        hub.worker.step()
    hub.read_side.runner.catch_up()
    # A new text each look: the response cache reads the views' position at most every 20 ms,
    # so the same query again right after a step could be answered from the look before it.
    query = (
        f"# look {next(_LOOKS)}\n"
        "query($n: String!) { purchaseOrder(number: $n) { acknowledgedRevision lines { "
        "lineNumber ackStatus ackSourceCode confirmedQuantity shippedQuantity "
        "invoicedQuantity } } exceptions(first: 50) { items { category document reason } } }"
    )
    answer = hub.client.post(
        "/graphql", json={"query": query, "variables": {"n": number}}, headers=hub.buyer
    )
    assert answer.status_code == 200, answer.text
    seen: dict[str, Any] = answer.json()["data"]
    return seen


def lines_of(seen: dict[str, Any], *fields: str) -> list[tuple[Any, ...]]:
    return [tuple(line[f] for f in fields) for line in seen["purchaseOrder"]["lines"]]


def categories(seen: dict[str, Any], number: str) -> set[str]:
    """The open cases' categories: each test's hub trades this one order only."""
    assert seen["purchaseOrder"] is not None, number
    return {case["category"] for case in seen["exceptions"]["items"]}
