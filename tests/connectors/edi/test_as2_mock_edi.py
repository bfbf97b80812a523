"""mock-edi over AS2, end to end: a PO released over REST goes out as an 850 by AS2 (unsigned:
the mock refuses S/MIME), its MDN is checked, and the mock's courier delivers its 997, 855,
856 and 810 to the hub's `POST /as2`, served by a real uvicorn. GraphQL then shows the PO
acknowledged line by line, shipped and invoiced, each event pointing at the raw payload it
came in."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from composed import add_partner, composed
from edi_partner import MockEdi
from servers import free_port

from api.auth import Role
from connectors.as2.receipts import As2Messages
from supplyhub.settings import Settings
from supplyhub.workers import build_edi, open_database

pytestmark = [pytest.mark.mock_edi, pytest.mark.server]


@contextmanager
def serving(app: Any) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def mock_partner(mock_edi: MockEdi, as2_url: str) -> str:
    """The hub as a partner of the mock, reached by AS2 at ``as2_url``: the hub's AS2 id."""
    us = f"HUB{uuid.uuid4().hex[:8].upper()}"
    answer = httpx.post(
        f"{mock_edi.url}/_mock/partners",
        json={"id": us, "name": "Supply Hub", "dialect": "X12", "version": "004010",
              "qualifier": "ZZ", "behaviour": "accept", "as2_url": as2_url},
        timeout=10,
    )  # fmt: skip
    answer.raise_for_status()
    return us


def test_a_po_sent_by_as2_is_answered_by_the_mock_over_as2_acknowledged_shipped_and_invoiced(
    tmp_path: Path, mock_edi: MockEdi
) -> None:
    settings = Settings(data_dir=tmp_path, dev_mode=True, as2_id="SUPPLYHUB")
    with composed(settings) as hub, serving(hub.app) as url:
        us = mock_partner(mock_edi, f"{url}/as2")
        add_partner(tmp_path, {
            "partner": "mock-edi", "supplier": "MOCKEDI", "dialect": "x12",
            "version": "004010", "ours": {"qualifier": "ZZ", "id": us},
            "theirs": {"qualifier": "ZZ", "id": "MOCKEDI"}, "currency": "USD",
            "as2": {"url": f"{mock_edi.url}/as2", "their_id": "MOCKEDI", "our_id": us},
        })  # fmt: skip
        connector, buyer = hub.bearer(Role.CONNECTOR, "erp"), hub.bearer(Role.BUYER, "kim")
        auditor = hub.bearer(Role.AUDITOR, "ada")
        client = httpx.Client(base_url=url, timeout=10)
        released = release(client, connector, "PO-AS2-1")
        worker = build_edi(settings, hub.store)

        sent = worker.step()
        seen = poll(hub, client, buyer, "PO-AS2-1")
        history = client.get("/api/v1/purchase-orders/PO-AS2-1/history", headers=auditor)
        kept = {
            event["event"]: client.get(
                f"/api/v1/edi/payloads/{event['payload_ref']}", headers=auditor
            )
            for event in history.json()["events"]
            if event["channel"] == "x12"
        }

    assert released and sent == 1
    sent_by_as2 = As2Messages(open_database(settings)).all()
    assert [(m.partner, m.status, m.detail) for m in sent_by_as2] == [("mock-edi", "processed", "")]
    assert [
        (line["ackStatus"], line["ackSourceCode"], line["shippedQuantity"],
         line["invoicedQuantity"])
        for line in seen["lines"]
    ] == [("accepted", "IA", "100", "100"), ("accepted", "IA", "2.5", "2.5")]  # fmt: skip
    assert {"Acknowledged", "ShipmentNoticed", "Invoiced"} <= set(kept), set(kept)
    for event, answer in kept.items():
        assert answer.status_code == 200, event
        assert b"ISA*" in answer.content
    ack = kept["Acknowledged"].content
    assert b"ST*855*" in ack
    assert any(
        event["payload_ref"] == f"sha256:{hashlib.sha256(ack).hexdigest()}"
        for event in history.json()["events"]
    )


def release(client: httpx.Client, connector: dict[str, str], number: str) -> bool:
    headers = {**connector, "Idempotency-Key": f"sup-{number}"}
    client.put("/api/v1/suppliers/MOCKEDI", json={"name": "Mock"}, headers=headers)
    lines = [
        {"line_number": 1, "item": "WIDGET-001", "quantity": "100", "uom": "EA",
         "unit_price": "12.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"},
        {"line_number": 2, "item": "GEAR-100", "quantity": "2.5", "uom": "EA",
         "unit_price": "8.90", "need_by": "2026-12-21", "ship_to": "PLANT-1"},
    ]  # fmt: skip
    answer = client.post(
        "/api/v1/purchase-orders",
        json={"po_number": number, "supplier": "MOCKEDI", "currency": "USD", "lines": lines},
        headers={**connector, "Idempotency-Key": f"po-{number}"},
    )
    return answer.status_code == 201


def poll(hub: Any, client: httpx.Client, buyer: dict[str, str], number: str) -> dict[str, Any]:
    """The PO as GraphQL shows it once it is invoiced in full (the mock's courier posts its
    answers one after another), or as it stands after 30 s."""
    query = (
        "query($n: String!) { purchaseOrder(number: $n) { lines { lineNumber ackStatus "
        "ackSourceCode shippedQuantity invoicedQuantity } } }"
    )
    deadline = time.monotonic() + 30
    while True:
        hub.read_side.runner.catch_up()
        answer = client.post(
            "/graphql", json={"query": query, "variables": {"n": number}}, headers=buyer
        )
        seen: dict[str, Any] = answer.json()["data"]["purchaseOrder"]
        invoiced = [line["invoicedQuantity"] for line in seen["lines"]]
        if invoiced == ["100", "2.5"] or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)
