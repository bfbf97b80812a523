"""The first slice through a partner that nobody here wrote: a PO released over REST goes to
mock-edi as our 850 over plain HTTP; mock-edi's 855 comes back through ``POST /api/v1/edi``,
and GraphQL shows the order acknowledged line by line. Sending the 855 again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from composed import add_partner, composed
from edi_partner import MockEdi
from fastapi.testclient import TestClient

from api.auth import Role
from connectors.edi.order import OrderLine, OutboundOrder
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope
from connectors.edi.x12.purchase_order import write_850
from connectors.edi.x12.reader import read_interchanges
from connectors.edi.x12.writer import write
from supplyhub.read_side import ReadSide
from supplyhub.settings import Settings

pytestmark = pytest.mark.mock_edi

# ACME: a trading partner mock-edi knows (it refuses senders it has not registered).
PARTNER, SUPPLIER, US = "mock-edi-e2e", "MOCKEDI", "ACME"
ORDER = OutboundOrder(
    number="PO-E2E-1", revision=0, issued=date(2026, 12, 4), buyer_id=US, supplier_id=SUPPLIER,
    lines=(
        OrderLine(1, "WIDGET-001", Decimal("100"), "EA", Decimal("12.50"), date(2026, 12, 20)),
        OrderLine(2, "GEAR-100", Decimal("2.5"), "EA", Decimal("8.90"), date(2026, 12, 21)),
    ),
)  # fmt: skip


@dataclass
class Hub:
    client: TestClient
    read_side: ReadSide
    connector: dict[str, str]
    partner: dict[str, str]
    buyer: dict[str, str]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(data_dir=tmp_path, dev_mode=True)
    profile = {
        "partner": PARTNER, "supplier": SUPPLIER, "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": US}, "theirs": {"qualifier": "ZZ", "id": "MOCKEDI"},
        "units": {"EA": "EA"}, "currency": "USD",
    }  # fmt: skip
    add_partner(tmp_path, profile)
    with composed(settings) as hub, TestClient(hub.app) as client:
        yield Hub(
            client, hub.read_side, hub.bearer(Role.CONNECTOR, "erp"),
            hub.bearer(Role.CONNECTOR, PARTNER), hub.bearer(Role.BUYER, "kim"),
        )  # fmt: skip


def release(hub: Hub) -> None:
    headers = {**hub.connector, "Idempotency-Key": "sup-mockedi"}
    answer = hub.client.put(f"/api/v1/suppliers/{SUPPLIER}", json={"name": "Mock"}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    lines = [
        {"line_number": line.line_number, "item": line.item, "quantity": str(line.quantity),
         "uom": line.unit, "unit_price": str(line.price), "need_by": line.requested.isoformat(),
         "ship_to": "PLANT-1"}
        for line in ORDER.lines
    ]  # fmt: skip
    answer = hub.client.post(
        "/api/v1/purchase-orders",
        json={"po_number": ORDER.number, "supplier": SUPPLIER, "currency": "USD", "lines": lines},
        headers={**hub.connector, "Idempotency-Key": "po-e2e-1"},
    )
    assert answer.status_code == 201, answer.text


def answers_from_the_mock(mock_edi: MockEdi, set_code: str) -> bytes:
    """Our 850 to the mock over plain HTTP; its interchange carrying ``set_code``, to us."""
    envelope = X12Envelope("ZZ", US, "ZZ", "MOCKEDI", 901, 901, datetime(2026, 12, 4, 10, 30))
    mock_edi.send(write_850(ORDER, envelope, Delimiters()))
    for interchange in read_interchanges([mock_edi.collect(US)]):
        sets = [each for group in interchange.groups for each in group.sets]
        # The mailbox is the session's: other tests' answers to ACME are in it too.
        ours = [s for s in sets if s.code == set_code and ORDER.number in str(s.segments[1])]
        if interchange.header.get(8).strip() == US and ours:
            return write(interchange.segments(), interchange.delimiters)
    raise AssertionError(f"mock-edi sent no {set_code} to {US}")


def lines_seen(hub: Hub) -> list[dict[str, Any]]:
    hub.read_side.runner.catch_up()
    query = (
        "query($n: String!) { purchaseOrder(number: $n) { acknowledgedRevision "
        "lines { lineNumber ackStatus ackSourceCode confirmedQuantity confirmedDate } } }"
    )
    answer = hub.client.post(
        "/graphql", json={"query": query, "variables": {"n": ORDER.number}}, headers=hub.buyer
    )
    assert answer.status_code == 200, answer.text
    seen: dict[str, Any] = answer.json()["data"]["purchaseOrder"]
    assert seen["acknowledgedRevision"] == 1
    lines: list[dict[str, Any]] = seen["lines"]
    return lines


def test_a_po_released_over_rest_is_acknowledged_line_by_line_by_the_mocks_855(
    hub: Hub, mock_edi: MockEdi
) -> None:
    release(hub)
    acknowledgment = answers_from_the_mock(mock_edi, "855")

    first = hub.client.post("/api/v1/edi", content=acknowledgment, headers=hub.partner)
    again = hub.client.post("/api/v1/edi", content=acknowledgment, headers=hub.partner)

    assert first.status_code == 200, first.text
    (result,) = first.json()["results"]
    assert result["command"] == "AcknowledgePurchaseOrder"
    assert result["message_id"].startswith("edi:MOCKEDI:")
    assert result["outcome"]["status"] == "applied"
    assert result["outcome"]["replayed"] is False
    assert again.json()["results"][0]["outcome"]["replayed"] is True
    # The mock confirms dates from its own clock (today + lead time): the hub shows its ACK05s.
    first_date, second_date = _ack_dates(acknowledgment)
    assert lines_seen(hub) == [
        {"lineNumber": 1, "ackStatus": "accepted", "ackSourceCode": "IA",
         "confirmedQuantity": "100", "confirmedDate": first_date},
        {"lineNumber": 2, "ackStatus": "accepted", "ackSourceCode": "IA",
         "confirmedQuantity": "2.5", "confirmedDate": second_date},
    ]  # fmt: skip


def _ack_dates(interchange: bytes) -> list[str]:
    """Each ACK segment's date (ACK05, after the qualifier 067), as ISO dates."""
    (read,) = read_interchanges([interchange])
    dates = [segment.get(5) for segment in read.segments() if segment.tag == "ACK"]
    return [f"{d[:4]}-{d[4:6]}-{d[6:8]}" for d in dates]


def test_an_interchange_the_profile_cannot_translate_is_refused_whole_naming_the_element(
    hub: Hub,
) -> None:
    acknowledgment = (
        "ISA*00*          *00*          *ZZ*MOCKEDI        *ZZ*ACME           *261204*1030*U*"
        "00401*000000077*0*T*>~GS*PR*MOCKEDI*ACME*20261204*1030*77*X*004010~"
        "ST*855*0001~BAK*00*AD*PO-E2E-1*20261204~PO1*1*100*BOX~ACK*IA*100*BOX~SE*5*0001~"
        "GE*1*77~IEA*1*000000077~"
    )

    answer = hub.client.post("/api/v1/edi", content=acknowledgment, headers=hub.partner)

    assert answer.status_code == 422
    assert answer.json()["field"] == "PO103"
    assert (
        "X12 PO1 at segment 5: PO103 'BOX' is not in the partner's units table"
        in (answer.json()["detail"])
    )
