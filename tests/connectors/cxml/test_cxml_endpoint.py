"""`POST /cxml` over the composed app: a supplier's cXML confirmation, ship notice and
invoice become the hub's commands; the Sender's shared secret is checked first; each refusal
is a cXML Response with its status (400 naming the element, 401, 406, 409), nothing applied;
the same document again is answered as the first time and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from composed import add_partner, composed
from cxml_samples import SECRET, confirmation, envelope, invoice, ship_notice
from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from test_safe_xml import BILLION_LAUGHS, external

from api.auth import Role
from connectors.cxml.secret import hash_secret
from domain.application import SupplyHub
from storage.payloads import payload_ref
from supplyhub.read_side import ReadSide
from supplyhub.settings import Settings

SUPPLIER = "SUP-ACME"
XML = {"Content-Type": "text/xml; charset=utf-8"}


@dataclass
class Hub:
    client: TestClient
    store: SupplyHub
    read_side: ReadSide
    connector: dict[str, str]
    buyer: dict[str, str]
    auditor: dict[str, str]

    def written(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def post(self, document: bytes, headers: dict[str, str] = XML) -> tuple[int, int, str]:
        """The HTTP status, the cXML Status code and its text."""
        answer = self.client.post("/cxml", content=document, headers=headers)
        assert answer.headers["content-type"].startswith("text/xml")
        status = fromstring(answer.content).find("Response/Status")
        assert status is not None
        return answer.status_code, int(status.get("code")), status.text or ""


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(data_dir=tmp_path, dev_mode=True)
    profile = {
        "partner": "acme-cxml", "supplier": SUPPLIER, "dialect": "cxml", "version": "1.2.050",
        "ours": {"qualifier": "NetworkId", "id": "AN-HUB"},
        "theirs": {"qualifier": "DUNS", "id": "123456789"},
        "units": {"EA": "EA"},
        "cxml": {"sender": {"domain": "NetworkId", "identity": "AN-ACME"},
                 "secret_hash": hash_secret(SECRET, iterations=1000)},
    }  # fmt: skip
    add_partner(tmp_path, profile)
    with composed(settings) as served, TestClient(served.app) as client:
        hub = Hub(
            client, served.store, served.read_side, served.bearer(Role.CONNECTOR, "erp"),
            served.bearer(Role.BUYER, "kim"), served.bearer(Role.AUDITOR, "ada"),
        )  # fmt: skip
        release(hub)
        yield hub


def release(hub: Hub) -> None:
    headers = {**hub.connector, "Idempotency-Key": "sup-acme"}
    answer = hub.client.put(f"/api/v1/suppliers/{SUPPLIER}", json={"name": "Acme"}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    lines = [
        {"line_number": n, "item": f"ITEM-{n}", "quantity": "10", "uom": "EA",
         "unit_price": "2.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"}
        for n in (1, 2)
    ]  # fmt: skip
    answer = hub.client.post(
        "/api/v1/purchase-orders",
        json={"po_number": "PO-77", "supplier": SUPPLIER, "currency": "USD", "lines": lines},
        headers={**hub.connector, "Idempotency-Key": "po-77"},
    )
    assert answer.status_code == 201, answer.text


def order_seen(hub: Hub) -> dict[str, Any]:
    hub.read_side.runner.catch_up()
    query = (
        'query { purchaseOrder(number: "PO-77") { acknowledgedRevision '
        "lines { lineNumber ackStatus ackSourceCode confirmedQuantity confirmedDate } } }"
    )
    answer = hub.client.post("/graphql", json={"query": query}, headers=hub.buyer)
    seen: dict[str, Any] = answer.json()["data"]["purchaseOrder"]
    return seen


def test_a_confirmation_is_answered_200_and_the_order_shows_each_lines_answer(hub: Hub) -> None:
    assert hub.post(envelope(confirmation())) == (200, 200, "")

    seen = order_seen(hub)
    assert seen["acknowledgedRevision"] == 1
    assert [(line["ackStatus"], line["ackSourceCode"]) for line in seen["lines"]] == [
        ("accepted", "accept"), ("accepted_with_changes", "detail"),
    ]  # fmt: skip


def test_the_same_document_again_gets_the_first_answer_and_writes_nothing(hub: Hub) -> None:
    document = envelope(confirmation())
    hub.post(document)
    written = hub.written()

    assert hub.post(document) == (200, 200, "")
    assert hub.written() == written


def test_a_payload_id_reused_with_other_content_is_a_conflict_and_nothing_is_applied(
    hub: Hub,
) -> None:
    hub.post(envelope(ship_notice(quantity="10"), payload_id="p-1"))
    written = hub.written()

    status = hub.post(envelope(ship_notice(quantity="4"), payload_id="p-1"))

    assert status[:2] == (409, 409)
    assert hub.written() == written


def test_a_wrong_shared_secret_is_401_before_the_request_is_read(hub: Hub) -> None:
    written = hub.written()
    broken_request = "<ConfirmationRequest/>"  # would be a 400, were it read

    status = hub.post(envelope(broken_request, secret="open-sesame"))

    assert status == (401, 401, "/cXML/Header/Sender/Credential: not a known sender")
    assert hub.written() == written


def test_an_unknown_sender_is_401(hub: Hub) -> None:
    document = envelope(confirmation()).replace(b"123456789", b"987654321", 1)
    assert hub.post(document)[:2] == (401, 401)


def test_a_request_the_partner_may_not_send_is_406(hub: Hub) -> None:
    code, status, text = hub.post(envelope("<OrderRequest/>"))
    assert (code, status) == (406, 406)
    assert "OrderRequest is not one this partner may send" in text


def test_a_wrong_element_is_400_naming_its_path_and_nothing_is_applied(hub: Hub) -> None:
    items = '<ConfirmationItem lineNumber="1"/><ConfirmationItem lineNumber="x"/>'
    written = hub.written()

    status = hub.post(envelope(confirmation(items=items)))

    assert status == (
        400, 400,
        "/cXML/Request/ConfirmationRequest/ConfirmationItem[2]/@lineNumber: "
        "'x' is not a line number",
    )  # fmt: skip
    assert hub.written() == written


def test_a_confirmation_of_an_unknown_order_is_400_with_the_hubs_reason(hub: Hub) -> None:
    code, status, text = hub.post(envelope(confirmation(po="PO-NONE")))
    assert (code, status) == (400, 400)
    assert "PO-NONE" in text


@pytest.mark.parametrize(
    "hostile",
    [BILLION_LAUGHS, external("file:///etc/passwd"), external("http://127.0.0.1:9/x")],
    ids=["billion-laughs", "xxe-file", "xxe-network"],
)
def test_hostile_xml_is_400_and_the_server_stays_up(hub: Hub, hostile: bytes) -> None:
    written = hub.written()

    code, status, text = hub.post(hostile)

    assert (code, status) == (400, 400)
    assert "entity declarations are refused" in text
    assert "root:" not in text
    assert hub.written() == written
    assert hub.post(envelope(confirmation()))[1] == 200


def test_invalid_utf8_is_400_not_well_formed(hub: Hub) -> None:
    code, status, text = hub.post(envelope(confirmation()).replace(b"PO-77", b"PO-\xff", 1))
    assert (code, status) == (400, 400)
    assert "not well-formed XML" in text


def test_a_document_past_the_body_limit_is_refused_and_the_server_stays_up(hub: Hub) -> None:
    huge = envelope(confirmation()).replace(b"</cXML>", b" " * (9 * 1024 * 1024) + b"</cXML>")

    answer = hub.client.post("/cxml", content=huge, headers=XML)

    assert answer.status_code == 413
    assert hub.post(envelope(confirmation()))[1] == 200


def test_a_body_that_is_not_xml_by_its_content_type_is_400(hub: Hub) -> None:
    code, status, text = hub.post(envelope(confirmation()), {"Content-Type": "text/plain"})
    assert (code, status) == (400, 400)
    assert "text/xml or application/xml" in text


def test_a_ship_notice_and_an_invoice_are_each_answered_200(hub: Hub) -> None:
    assert hub.post(envelope(confirmation(), payload_id="c-1"))[1] == 200
    assert (
        hub.post(envelope(ship_notice(), payload_id="s-1"), {"Content-Type": "application/xml"})[1]
        == 200
    )
    assert hub.post(envelope(invoice(), payload_id="i-1"))[1] == 200


def test_a_partners_document_is_archived_as_it_came_and_its_events_point_at_it(hub: Hub) -> None:
    document = envelope(confirmation())
    hub.post(document)

    history = hub.client.get("/api/v1/purchase-orders/PO-77/history", headers=hub.auditor).json()[
        "events"
    ]
    (acknowledged,) = [event for event in history if event["event"] == "Acknowledged"]
    kept = hub.client.get(f"/api/v1/edi/payloads/{acknowledged['payload_ref']}",
                          headers=hub.auditor)  # fmt: skip

    assert acknowledged["channel"] == "cxml"
    assert (kept.status_code, kept.content) == (200, document)


def test_a_document_from_an_unknown_sender_is_not_archived(hub: Hub) -> None:
    document = envelope(confirmation(), secret="open-sesame")
    hub.post(document)

    kept = hub.client.get(f"/api/v1/edi/payloads/{payload_ref(document)}", headers=hub.auditor)

    assert kept.status_code == 404


def test_a_line_confirmed_part_now_part_later_is_committed_as_two_deliveries(hub: Hub) -> None:
    items = """<ConfirmationItem lineNumber="1" quantity="10"><UnitOfMeasure>EA</UnitOfMeasure>
      <ConfirmationStatus type="accept" quantity="6" deliveryDate="2026-12-20"/>
      <ConfirmationStatus type="backordered" quantity="4" deliveryDate="2026-12-22"/>
    </ConfirmationItem>"""

    assert hub.post(envelope(confirmation(items=items))) == (200, 200, "")

    hub.read_side.runner.catch_up()
    query = 'query { purchaseOrder(number: "PO-77") { lines { lineNumber ackStatus commitment } } }'
    seen = hub.client.post("/graphql", json={"query": query}, headers=hub.buyer).json()
    # The later delivery is past the line's need-by: within tolerance, applied, and late.
    assert seen["data"]["purchaseOrder"]["lines"][0] == {
        "lineNumber": 1, "ackStatus": "accepted_with_changes", "commitment": "late",
    }  # fmt: skip
    history = hub.client.get("/api/v1/purchase-orders/PO-77/history", headers=hub.auditor)
    applied = history.json()["events"][-1]
    assert (applied["event"], applied["channel"]) == ("ChangeApplied", "cxml")
