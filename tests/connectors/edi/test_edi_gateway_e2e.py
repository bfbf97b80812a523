"""The first slice through a partner that nobody here wrote: a PO released over REST goes to
mock-edi as our 850 over plain HTTP; mock-edi's 855 comes back through ``POST /api/v1/edi``,
and GraphQL shows the order acknowledged line by line. Sending the 855 again changes nothing.
"""

from __future__ import annotations

import re
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
from supplyhub.cli import main
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
    auditor: dict[str, str]


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
            hub.bearer(Role.AUDITOR, "ada"),
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
    # ACK05, the date the mock promises, counts from the mock's own clock (which other tests
    # advance): read from the 855 itself rather than from today's date.
    promised = [
        f"{d[:4].decode()}-{d[4:6].decode()}-{d[6:].decode()}"
        for d in re.findall(rb"ACK\*IA\*[^*~]*\*[^*~]*\*[^*~]*\*(\d{8})", acknowledgment)
    ]
    assert lines_seen(hub) == [
        {"lineNumber": 1, "ackStatus": "accepted", "ackSourceCode": "IA",
         "confirmedQuantity": "100", "confirmedDate": promised[0]},
        {"lineNumber": 2, "ackStatus": "accepted", "ackSourceCode": "IA",
         "confirmedQuantity": "2.5", "confirmedDate": promised[1]},
    ]  # fmt: skip


def interchange(control: int, *sets: str) -> bytes:
    """An X12 interchange from the mock to us holding ``sets`` (each ST..SE) in one group."""
    isa = (
        "ISA*00*          *00*          *ZZ*MOCKEDI        *ZZ*ACME           *261204*1030*U*"
        f"00401*{control:09d}*0*T*>~GS*PR*MOCKEDI*ACME*20261204*1030*{control}*X*004010~"
    )
    return (isa + "".join(sets) + f"GE*{len(sets)}*{control}~IEA*1*{control:09d}~").encode()


GOOD_855 = "ST*855*0001~BAK*00*AD*PO-E2E-1*20261204~PO1*1*100*EA~ACK*IA*100*EA~SE*5*0001~"
BOX_855 = "ST*855*0002~BAK*00*AD*PO-E2E-1*20261204~PO1*2*2.5*BOX~ACK*IA*2.5*BOX~SE*5*0002~"


def test_an_interchange_the_profile_cannot_translate_is_answered_422_with_our_rejecting_997(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = hub.client.post("/api/v1/edi", content=interchange(77, BOX_855), headers=hub.partner)

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/edi-x12"
    assert (
        "X12 PO1 at segment 5: PO103 'BOX' is not in the partner's units table"
        in (answer.headers["supplyhub-refusal"])
    )
    ack = answer.content
    assert b"AK1*PR*77~AK2*855*0002~AK3*PO1*3**8~AK4*3*355*7*BOX~AK5*R*5~AK9*R*1*1*0~" in ack
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    assert main(["edi", "parked"]) == 0
    (parked,) = capsys.readouterr().out.splitlines()
    assert " mock-edi-e2e  sha256:" in parked and "PO103 'BOX'" in parked


def test_a_syntax_error_over_rest_is_parked_once_and_answered_with_the_same_997_again(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = interchange(78, GOOD_855.replace("SE*5*0001", "SE*6*0001"))

    first = hub.client.post("/api/v1/edi", content=broken, headers=hub.partner)
    again = hub.client.post("/api/v1/edi", content=broken, headers=hub.partner)

    assert (first.status_code, again.status_code) == (422, 422)
    assert "SE01 is 6 but the set has 5 segments" in first.headers["supplyhub-refusal"]
    assert b"AK2*855*0001~AK5*R*4~AK9*R*1*1*0~" in first.content  # 717 4: the count
    assert again.content == first.content
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    main(["edi", "parked"])
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_a_set_the_translator_refuses_is_rejected_in_our_997_and_the_others_are_applied(
    hub: Hub,
) -> None:
    release(hub)

    answer = hub.client.post(
        "/api/v1/edi", content=interchange(79, GOOD_855, BOX_855), headers=hub.partner
    )

    assert answer.status_code == 200, answer.text
    (result,) = answer.json()["results"]
    assert result["outcome"]["status"] == "applied"
    (kept,) = answer.json()["interchanges"]
    assert "PO103 'BOX'" in kept["parked"]
    ack = hub.client.get(f"/api/v1/edi/payloads/{kept['functional_ack']}", headers=hub.auditor)
    assert (
        b"AK1*PR*79~AK2*855*0001~AK5*A~AK2*855*0002~AK3*PO1*3**8~AK4*3*355*7*BOX~AK5*R*5~"
        b"AK9*P*2*2*1~" in ack.content
    )


def test_our_997_for_an_interchange_over_rest_passes_the_mocks_validator(
    hub: Hub, mock_edi: MockEdi
) -> None:
    release(hub)

    answer = hub.client.post("/api/v1/edi", content=interchange(80, GOOD_855), headers=hub.partner)

    (kept,) = answer.json()["interchanges"]
    ack = hub.client.get(f"/api/v1/edi/payloads/{kept['functional_ack']}", headers=hub.auditor)
    assert b"AK5*A~AK9*A*1*1*1~" in ack.content
    assert mock_edi.validate(ack.content)["clean"] is True


def test_an_empty_body_is_refused_naming_what_is_missing(hub: Hub) -> None:
    answer = hub.client.post("/api/v1/edi", content=b"  \r\n", headers=hub.partner)

    assert answer.status_code == 422
    assert answer.json()["field"] == "interchange"
    assert "no ISA, UNA or UNB" in answer.json()["detail"]
