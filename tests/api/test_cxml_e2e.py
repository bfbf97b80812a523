"""A cXML supplier end to end over real HTTP: the hub serves on uvicorn; the gateway's outbound
worker (`supplyhub worker edi`'s step) sends the released PO as an OrderRequest to a small
supplier endpoint in the test, which answers with a cXML Response; the supplier then posts its
ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest back to ``POST /cxml``; GraphQL
shows the order confirmed, shipped and invoiced, the invoice held by the three-way match until
the goods are received. Then the supplier away (backoff, delivered once) and refusing (a
technical failure kept for operations, not retried, the next PO still going out).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from composed import add_partner, composed
from defusedxml.ElementTree import fromstring
from live_server import LiveHub, serving_app
from pydantic import SecretStr

from api.auth import Role
from connectors.cxml.order_request import Operation, read_order_request
from connectors.cxml.response import response_document
from connectors.cxml.secret import hash_secret
from connectors.edi.order import OrderLine, OutboundOrder
from connectors.gateway.outbound import EdiOutbound
from connectors.workers.loop import is_transient
from storage.payloads import payload_ref
from supplyhub.cli import main
from supplyhub.cli.api import serving_auth
from supplyhub.settings import Settings
from supplyhub.workers import build_edi, worker_loop

pytestmark = pytest.mark.server

SUPPLIER, SECRET, OUR_SECRET = "SUP-ACME", "abracadabra", "open-sesame&co"


def profile(endpoint: str) -> dict[str, Any]:
    return {
        "partner": "acme-cxml", "supplier": SUPPLIER, "dialect": "cxml", "version": "1.2.050",
        "ours": {"qualifier": "NetworkId", "id": "AN-HUB"},
        "theirs": {"qualifier": "DUNS", "id": "123456789"},
        "cxml": {"sender": {"domain": "DUNS", "identity": "123456789"},
                 "secret_hash": hash_secret(SECRET, iterations=1000), "endpoint": endpoint},
    }  # fmt: skip


class Supplier(BaseHTTPRequestHandler):
    """A supplier's order desk: takes an OrderRequest and answers with the next of ``plan``
    (an HTTP status, and the cXML Status code its Response carries), 200 when it runs out."""

    received: ClassVar[list[bytes]] = []
    plan: ClassVar[list[tuple[int, int]]] = []
    times: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Supplier.received.append(body)
        Supplier.times.append(time.monotonic())
        http, code = Supplier.plan.pop(0) if Supplier.plan else (200, 200)
        detail = "" if code == 200 else "ItemOut[1]: unknown SupplierPartID"
        answer = response_document(code, detail, f"sup-{len(Supplier.received)}@acme",
                                   datetime.now(UTC))  # fmt: skip
        self.send_response(http)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def supplier_url() -> Iterator[str]:
    Supplier.received, Supplier.plan, Supplier.times = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Supplier)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cxml"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Hub:
    live: LiveHub
    worker: EdiOutbound
    connector: dict[str, str]
    buyer: dict[str, str]
    auditor: dict[str, str]


@pytest.fixture
def hub(tmp_path: Path, supplier_url: str) -> Iterator[Hub]:
    settings = Settings(data_dir=tmp_path, dev_mode=True, cxml_secret=SecretStr(OUR_SECRET))
    add_partner(tmp_path, profile(supplier_url))
    auth = serving_auth(settings)
    with composed(settings) as composed_hub, serving_app(composed_hub.app) as url:
        yield Hub(
            LiveHub(url, settings, composed_hub.store, composed_hub.read_side),
            build_edi(settings, composed_hub.store),
            {"Authorization": f"Bearer {auth.issue(Role.CONNECTOR, 'erp')}"},
            {"Authorization": f"Bearer {auth.issue(Role.BUYER, 'kim')}"},
            {"Authorization": f"Bearer {auth.issue(Role.AUDITOR, 'ada')}"},
        )


def release(hub: Hub, number: str) -> None:
    url, connector = hub.live.url, hub.connector
    put = httpx.put(f"{url}/api/v1/suppliers/{SUPPLIER}", json={"name": "Acme"},
                    headers={**connector, "Idempotency-Key": f"s-{number}"})  # fmt: skip
    assert put.status_code in (200, 201), put.text
    line = {"line_number": 1, "item": "ITEM-1", "quantity": "10", "uom": "EA",
            "unit_price": "2.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"}  # fmt: skip
    released = httpx.post(
        f"{url}/api/v1/purchase-orders",
        json={"po_number": number, "supplier": SUPPLIER, "currency": "USD", "lines": [line]},
        headers={**connector, "Idempotency-Key": f"po-{number}"},
    )
    assert released.status_code == 201, released.text


def order_request_of(document: bytes) -> tuple[str, str]:
    """(payloadID, SharedSecret) of an OrderRequest as the supplier got it."""
    root = fromstring(document)
    return str(root.get("payloadID")), str(root.findtext("Header/Sender/Credential/SharedSecret"))


def supplier_document(request: str, payload: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd">
<cXML payloadID="{payload}" timestamp="2026-12-04T10:00:00+00:00"><Header>
<From><Credential domain="DUNS"><Identity>123456789</Identity></Credential></From>
<To><Credential domain="NetworkId"><Identity>AN-HUB</Identity></Credential></To>
<Sender><Credential domain="DUNS"><Identity>123456789</Identity>
<SharedSecret>{SECRET}</SharedSecret></Credential><UserAgent>Acme</UserAgent></Sender>
</Header><Request>{request}</Request></cXML>""".encode()


def answers_from_the_supplier(order_payload: str, po: str) -> list[bytes]:
    confirmation = f"""<ConfirmationRequest>
<ConfirmationHeader type="detail" noticeDate="2026-12-04T11:00:00+00:00"/>
<OrderReference orderID="{po}"><DocumentReference payloadID="{order_payload}"/></OrderReference>
<ConfirmationItem lineNumber="1" quantity="10"><UnitOfMeasure>EA</UnitOfMeasure>
<ConfirmationStatus type="accept" quantity="10"/></ConfirmationItem></ConfirmationRequest>"""
    notice = f"""<ShipNoticeRequest>
<ShipNoticeHeader shipmentID="ASN-C1" noticeDate="2026-12-05T08:00:00+00:00"
 shipmentDate="2026-12-05T08:00:00+00:00" deliveryDate="2026-12-08T08:00:00+00:00"/>
<ShipControl><CarrierIdentifier domain="SCAC">FDE</CarrierIdentifier>
<ShipmentIdentifier>TRK-1</ShipmentIdentifier></ShipControl>
<ShipNoticePortion><OrderReference orderID="{po}"><DocumentReference payloadID="{order_payload}"/>
</OrderReference><ShipNoticeItem lineNumber="1" quantity="10"><UnitOfMeasure>EA</UnitOfMeasure>
</ShipNoticeItem></ShipNoticePortion></ShipNoticeRequest>"""
    invoice = f"""<InvoiceDetailRequest>
<InvoiceDetailRequestHeader invoiceID="INV-C1" purpose="standard" operation="new"
 invoiceDate="2026-12-09T00:00:00+00:00"/>
<InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderReference orderID="{po}">
<DocumentReference payloadID="{order_payload}"/></OrderReference></InvoiceDetailOrderInfo>
<InvoiceDetailItem invoiceLineNumber="1" quantity="10"><UnitOfMeasure>EA</UnitOfMeasure>
<UnitPrice><Money currency="USD">2.50</Money></UnitPrice>
<InvoiceDetailItemReference lineNumber="1"/></InvoiceDetailItem></InvoiceDetailOrder>
</InvoiceDetailRequest>"""
    return [
        supplier_document(request, f"{n}@acme.example")
        for n, request in enumerate((confirmation, notice, invoice), 1)
    ]


def status_of(answer: httpx.Response) -> str:
    status = fromstring(answer.content).find("Response/Status")
    assert status is not None
    return str(status.get("code"))


def orders_listed(hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                  *flags: str) -> list[str]:  # fmt: skip
    """`supplyhub cxml orders` for the hub's data directory, line by line."""
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(hub.live.settings.data_dir))
    capsys.readouterr()
    assert main(["cxml", "orders", *flags]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_supplier_takes_our_order_and_confirms_ships_and_invoices_it_over_cxml(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    release(hub, "PO-C1")

    assert hub.worker.step() == 1

    assert len(Supplier.received) == 1
    ours, secret = order_request_of(Supplier.received[0])
    assert secret == OUR_SECRET
    issued = date.today()
    assert read_order_request(Supplier.received[0]) == (Operation.NEW, OutboundOrder(
        "PO-C1", 0, issued, "AN-HUB", "123456789",
        (OrderLine(1, "ITEM-1", Decimal(10), "EA", Decimal("2.50"), date(2026, 12, 20)),), "USD",
    ))  # fmt: skip
    # Kept and archived without our secret; operations see it delivered with the answer.
    kept = Supplier.received[0].replace(OUR_SECRET.replace("&", "&amp;").encode(),
                                        b"kept-in-the-hub-secret-store")  # fmt: skip
    archived = httpx.get(f"{hub.live.url}/api/v1/edi/payloads/{payload_ref(kept)}",
                         headers=hub.auditor)  # fmt: skip
    assert archived.status_code == 200 and archived.content == kept
    listed = orders_listed(hub, monkeypatch, capsys)
    assert [line.split("  ")[1:] for line in listed] == [
        ["acme-cxml", "PO-C1", ours, "delivered", "200", "OK"]
    ]

    for each in answers_from_the_supplier(ours, "PO-C1"):
        answer = httpx.post(f"{hub.live.url}/cxml", content=each,
                            headers={"Content-Type": "text/xml"})  # fmt: skip
        assert (answer.status_code, status_of(answer)) == (200, "200"), answer.text

    hub.live.read_side.runner.catch_up()
    query = """{ purchaseOrder(number: "PO-C1") { acknowledgedRevision
        lines { lineNumber ackStatus shippedQuantity }
        invoices { invoiceNumber matchStatus blockReasons } } }"""
    seen = httpx.post(f"{hub.live.url}/graphql", json={"query": query},
                      headers=hub.buyer).json()  # fmt: skip
    order_seen = seen["data"]["purchaseOrder"]
    assert order_seen["acknowledgedRevision"] == 1
    assert order_seen["lines"] == [
        {"lineNumber": 1, "ackStatus": "accepted", "shippedQuantity": "10"}
    ]
    # Shipped, not yet received: the three-way match holds the invoice, saying why.
    assert order_seen["invoices"] == [
        {"invoiceNumber": "INV-C1", "matchStatus": "blocked",
         "blockReasons": ["line 1 received_quantity: 10 invoiced in all, 0 received"]}
    ]  # fmt: skip


def test_a_supplier_away_is_retried_with_the_same_order_request_until_it_takes_it_once(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    release(hub, "PO-C2")
    Supplier.plan = [(503, 500), (429, 500)]

    for _ in range(2):  # the loop backs off on a transient error and runs the step again
        with pytest.raises(ConnectionError) as away:
            hub.worker.step()
        assert is_transient(away.value)
    assert hub.worker.step() == 1
    assert hub.worker.step() == 0  # delivered: nothing is sent again

    assert len(Supplier.received) == 3
    assert len(set(Supplier.received)) == 1  # the same bytes, the same payloadID each time
    listed = orders_listed(hub, monkeypatch, capsys)
    assert [line.split("  ")[4:6] for line in listed] == [["delivered", "200"]]


def test_a_supplier_refusing_an_order_is_a_failure_for_operations_and_the_next_po_goes(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    release(hub, "PO-C3")
    Supplier.plan = [(400, 400)]
    assert hub.worker.step() == 1
    release(hub, "PO-C4")
    Supplier.plan = [(200, 406)]  # a cXML refusal in a 200 answer is one too
    release(hub, "PO-C5")

    assert hub.worker.step() == 2
    assert hub.worker.step() == 0

    assert [order_request_of(each)[0].split(":")[1] for each in Supplier.received] == [
        "PO-C3", "PO-C4", "PO-C5",
    ]  # fmt: skip
    failed = [line.split("  ") for line in orders_listed(hub, monkeypatch, capsys, "--failed")]
    assert [(po, state, code, detail) for _, _, po, _, state, code, detail in failed] == [
        ("PO-C3", "failed", "400", "HTTP 400; Bad Request: ItemOut[1]: unknown SupplierPartID"),
        ("PO-C4", "failed", "406", "Not Acceptable: ItemOut[1]: unknown SupplierPartID"),
    ]


def test_a_revision_goes_out_as_an_update_with_its_version_and_a_cancellation_as_a_delete(
    hub: Hub,
) -> None:
    release(hub, "PO-C6")
    line = {"line_number": 1, "item": "ITEM-1", "quantity": "12", "uom": "EA",
            "unit_price": "2.50", "need_by": "2026-12-20", "ship_to": "PLANT-1"}  # fmt: skip
    headers = {**hub.connector, "Idempotency-Key": "rev-c6"}
    revised = httpx.post(f"{hub.live.url}/api/v1/purchase-orders/PO-C6/revisions",
                         json={"revision": 2, "lines": [line]}, headers=headers)  # fmt: skip
    assert revised.status_code == 200, revised.text
    headers = {**hub.connector, "Idempotency-Key": "cancel-c6"}
    cancelled = httpx.post(f"{hub.live.url}/api/v1/purchase-orders/PO-C6/cancellation",
                           json={"reason": "not needed"}, headers=headers)  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text

    assert hub.worker.step() == 3

    read = [read_order_request(each) for each in Supplier.received]
    assert [(operation, order.revision, order.lines[0].quantity) for operation, order in read] == [
        (Operation.NEW, 0, 10), (Operation.UPDATE, 1, 12), (Operation.DELETE, 1, 12),
    ]  # fmt: skip
    versions = [fromstring(each).find("Request/OrderRequest/OrderRequestHeader").get("orderVersion")
                for each in Supplier.received]  # fmt: skip
    assert versions == [None, "2", "2"]
    assert len({order_request_of(each)[0] for each in Supplier.received}) == 3


def status_update(order_payload: str, payload: str, code: str = "200", extra: str = "") -> bytes:
    return supplier_document(f"""<StatusUpdateRequest>
<DocumentReference payloadID="{order_payload}"/>
<Status code="{code}" text="OK" xml:lang="en">Order entered in our ERP as SO-991</Status>{extra}
</StatusUpdateRequest>""", payload)  # fmt: skip


def test_a_suppliers_status_update_on_our_order_request_is_recorded_against_it(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    release(hub, "PO-C7")
    hub.worker.step()
    ours, _ = order_request_of(Supplier.received[0])

    def post(document: bytes) -> tuple[int, str]:
        answer = httpx.post(f"{hub.live.url}/cxml", content=document,
                            headers={"Content-Type": "text/xml"})  # fmt: skip
        return answer.status_code, status_of(answer)

    assert post(status_update(ours, "su-1@acme")) == (200, "200")
    assert post(status_update(ours, "su-1@acme")) == (200, "200")  # again: nothing new
    assert post(status_update(ours, "su-1@acme", code="201")) == (409, "409")
    assert post(status_update("not-ours@acme", "su-2@acme")) == (400, "400")
    payment = "<PaymentStatus type='paid'/>"
    assert post(status_update(ours, "su-3@acme", extra=payment)) == (406, "406")

    listed = orders_listed(hub, monkeypatch, capsys)
    assert listed[0].endswith("delivered  200  OK  200 OK: Order entered in our ERP as SO-991")


def test_a_supplier_not_listening_holds_every_later_order_until_it_is_back_then_all_go_in_order(
    hub: Hub, supplier_url: str
) -> None:
    with socket.socket() as closed:  # a port nobody listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/cxml"
    add_partner(hub.live.settings.data_dir, profile(nowhere))
    release(hub, "PO-C8")
    release(hub, "PO-C9")

    with pytest.raises(OSError) as refused:
        hub.worker.step()
    assert is_transient(refused.value)
    add_partner(hub.live.settings.data_dir, profile(supplier_url))
    assert hub.worker.step() == 2

    assert [order_request_of(each)[0].split(":")[1] for each in Supplier.received] == [
        "PO-C8", "PO-C9",
    ]  # fmt: skip


def test_an_order_for_a_profile_naming_a_secret_the_hub_lacks_is_a_failure_and_sends_nothing(
    hub: Hub, supplier_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    unknown = profile(supplier_url)
    unknown["cxml"]["outbound_secret"] = "acme"
    add_partner(hub.live.settings.data_dir, unknown)
    release(hub, "PO-C10")

    assert hub.worker.step() == 0

    assert Supplier.received == []
    (listed,) = orders_listed(hub, monkeypatch, capsys, "--failed")
    assert listed.split("  ")[2:] == [
        "PO-C10", "-", "failed", "0",
        "no outbound shared secret named 'acme' (SUPPLYHUB_CXML_SECRET or "
        "SUPPLYHUB_CXML_SECRETS_FILE)",
    ]  # fmt: skip
    assert OUR_SECRET not in listed


def test_the_worker_loop_backs_off_longer_each_time_the_supplier_is_away_then_delivers_once(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    release(hub, "PO-C11")
    Supplier.plan = [(503, 500)] * 3
    settings = hub.live.settings.model_copy(
        update={"worker_retry_initial_seconds": 0.2, "worker_retry_max_seconds": 2.0}
    )
    loop, stopping = worker_loop(settings, "edi", publish=False), threading.Event()
    worker = threading.Thread(
        target=loop.run_sync, args=(hub.worker.step, lambda: stopping.wait(0.05), stopping)
    )
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(Supplier.received) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stopping.set()
        worker.join(10)

    assert len(Supplier.received) == 4 and len(set(Supplier.received)) == 1
    gaps = [later - earlier for earlier, later in pairwise(Supplier.times)]
    # Each pause is drawn in the upper half of 0.2 s doubled per failure: at least these.
    assert [gap >= least for gap, least in zip(gaps, (0.1, 0.2, 0.4), strict=True)] == [True] * 3
    listed = orders_listed(hub, monkeypatch, capsys)
    assert [(line.split("  ")[2], *line.split("  ")[4:6]) for line in listed] == [
        ("PO-C11", "delivered", "200")
    ]


def test_a_status_update_from_a_partner_whose_profile_leaves_it_out_is_406(
    hub: Hub, supplier_url: str
) -> None:
    release(hub, "PO-C12")
    hub.worker.step()
    ours, _ = order_request_of(Supplier.received[0])
    narrow = profile(supplier_url)
    narrow["cxml"]["requests"] = ["ConfirmationRequest", "ShipNoticeRequest"]
    add_partner(hub.live.settings.data_dir, narrow)

    answer = httpx.post(f"{hub.live.url}/cxml", content=status_update(ours, "su-9@acme"),
                        headers={"Content-Type": "text/xml"})  # fmt: skip

    assert (answer.status_code, status_of(answer)) == (406, "406")
    assert "StatusUpdateRequest is not one this partner may send" in answer.text


def test_the_order_request_sent_and_the_suppliers_answer_are_steps_of_the_orders_trace(
    hub: Hub,
) -> None:
    release(hub, "PO-C-TRACE")
    assert hub.worker.step() == 1
    ours, _ = order_request_of(Supplier.received[0])
    hub.live.read_side.runner.catch_up()

    trace = httpx.get(f"{hub.live.url}/console/purchase-orders/PO-C-TRACE/trace",
                      headers=hub.buyer)  # fmt: skip

    assert trace.status_code == 200, trace.text
    steps = trace.json()["steps"]
    released = next(s for s in steps if s["event"] == "PurchaseOrder.Released")
    out = next(s for s in steps if s["kind"] == "sent")
    answer = next(s for s in steps if s["kind"] == "answer")
    assert out["event"] == f"cXML OrderRequest {ours} sent to acme-cxml"
    assert (out["channel"], out["causation_id"]) == ("cxml", released["message_id"])
    assert (answer["event"], answer["actor"]) == ("cXML 200 delivered: OK", "acme-cxml")
    assert answer["causation_id"] == out["message_id"]
    archived = httpx.get(f"{hub.live.url}/api/v1/edi/payloads/{out['payload_ref']}",
                         headers=hub.auditor)  # fmt: skip
    assert archived.status_code == 200 and b"PO-C-TRACE" in archived.content
    assert OUR_SECRET.encode() not in archived.content  # kept without our secret
