"""mock-sap to the supplier's GraphQL and back, through the ERP worker: a PO created in SAP
shows for its supplier on an empty hub, a changed item is the next revision, a goods receipt
is received quantity, and the supplier's acknowledgement lands in SAP as an ORDRSP IDoc, once,
in order, whatever fault SAP has on the way."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from live_server import LiveHub, serving
from sap_system import MockSap

from connectors.erp.sap.odata import (
    Retry,
    SapAuthenticationError,
    SapBusyError,
    SapClient,
    SapUnavailableError,
)
from connectors.erp.sap.worker import SapWorker
from connectors.erp.state import ErpStateStore
from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth, is_transient
from connectors.workers.positions import PositionStore
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.mock_sap

ORDERED = date(2027, 3, 1)
NEED_BY = date(2027, 3, 15)  # ORDERED + the default lead time, 14 days
LATER = date(2027, 3, 18)
PO_QUERY = """query($n: String!) { purchaseOrder(number: $n) {
  number supplier currency revision status
  lines { lineNumber item uom orderedQuantity receivedQuantity unitPrice needBy shipTo } } }"""
ACK = """mutation($key: String!, $input: AcknowledgementInput!) {
  acknowledgePurchaseOrder(idempotencyKey: $key, input: $input) { __typename } }"""


class Waits:
    """The client's sleeps, recorded and not slept: the test sees what it would have waited."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """An empty hub (no demo data) serving GraphQL on a real uvicorn."""
    with serving(Settings(data_dir=tmp_path_factory.mktemp("sap-hub"), dev_mode=True), 0) as hub:
        yield hub


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def client(sap: MockSap, waits: Waits) -> SapClient:
    return SapClient(sap.url, sap.user, sap.password, timeout=2.0, sleep=waits,
                     retry=Retry(retries=3, initial_seconds=0.5, max_wait_seconds=60))  # fmt: skip


@pytest.fixture
def worker(live: LiveHub, client: SapClient) -> SapWorker:
    """The ERP worker on the hub's store; its rounds run by the test on one client."""
    database = open_database(live.settings)
    return SapWorker(
        live.hub, lambda: client, "mock", ErpStateStore(database), PositionStore(database),
        ResilientLoop(WorkerHealth("erp"), Backoff(0.05, 0.2)), poll_seconds=0.05,
    )  # fmt: skip


def new_supplier(sap: MockSap) -> str:
    number = str(2_000_000 + uuid.uuid4().int % 7_000_000)
    sap.create_supplier(number, f"Bolt Works {number}")
    return number


def new_po(sap: MockSap, supplier: str) -> str:
    return sap.create_po(
        supplier, [("TG14", Decimal(10), Decimal("1.50")), ("TG11", Decimal(4), Decimal(20))],
        ORDERED,
    )  # fmt: skip


def supplier_sees(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str, **expected: Any
) -> dict[str, Any]:
    """The PO in the supplier's GraphQL once the views show `expected` (or the last answer)."""
    headers = {"Authorization": f"Bearer {token(capsys, supplier)}"}
    deadline = time.monotonic() + 10
    while True:
        response = httpx.post(
            f"{live.url}/graphql", json={"query": PO_QUERY, "variables": {"n": number}},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 200, response.text
        po = response.json()["data"]["purchaseOrder"]
        if po is not None and all(po[k] == v for k, v in expected.items()):
            return dict(po)
        if time.monotonic() > deadline:
            return {} if po is None else dict(po)
        time.sleep(0.02)  # polling the views, which the read side updates asynchronously


def token(capsys: pytest.CaptureFixture[str], supplier: str) -> str:
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    return capsys.readouterr().out.strip()


def acknowledge(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str,
    dated: date = LATER,
) -> None:  # fmt: skip
    """The supplier accepts both items through GraphQL, item 10 for `dated`."""
    answers = [
        {"lineNumber": 10, "code": "Partially Accepted", "confirmedDate": str(dated)},
        {"lineNumber": 20, "code": "Accepted"},
    ]
    response = httpx.post(
        f"{live.url}/graphql", headers={"Authorization": f"Bearer {token(capsys, supplier)}"},
        json={"query": ACK, "variables": {"key": f"SO-{number}", "input": {
            "poNumber": number, "revision": 1, "lines": answers}}},
    )  # fmt: skip
    assert response.json() == {"data": {"acknowledgePurchaseOrder": {"__typename": "Accepted"}}}, (
        response.text
    )


def released_and_acknowledged(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> str:  # fmt: skip
    """A PO created in SAP, pulled by one round, acknowledged by its supplier: one write-back
    pending."""
    supplier = new_supplier(sap)
    number = new_po(sap, supplier)
    worker.round(client)
    acknowledge(live, capsys, supplier, number)
    assert worker.writebacks(client).pending() == 1
    return number


def refusals(live: LiveHub, number: str) -> list[str]:
    topic = "supplyhub:ExceptionCase.Opened"
    found = live.hub.recorder.select_notifications(1, 100_000, topics=(topic,))
    cases = [vars(live.hub.mapper.to_domain_event(n)) for n in found]
    return [
        str(c["reason"]) for c in cases
        if c["document"] == f"po:{number}" and c["category"] == "erp_refused"
    ]  # fmt: skip


# --- reads ---------------------------------------------------------------------------------


def test_a_po_created_in_sap_shows_in_its_suppliers_graphql_after_one_round_on_an_empty_hub(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = new_supplier(sap)
    number = new_po(sap, supplier)

    worker.round(client)

    po = supplier_sees(live, capsys, supplier, number, revision=1)
    assert (po["supplier"], po["currency"], po["revision"], po["status"]) == (
        supplier, "EUR", 1, "open",
    )  # fmt: skip
    assert [(x["lineNumber"], x["item"], x["uom"], x["orderedQuantity"], x["unitPrice"],
             x["needBy"], x["shipTo"]) for x in po["lines"]] == [
        (10, "TG14", "EA", "10", "1.5", str(NEED_BY), "1710"),
        (20, "TG11", "EA", "4", "20", str(NEED_BY), "1710"),
    ]  # fmt: skip


def test_reading_the_same_sap_versions_again_even_from_an_empty_cursor_writes_nothing(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
) -> None:  # fmt: skip
    new_po(sap, new_supplier(sap))
    worker.round(client)
    position = live.hub.recorder.max_notification_id()

    worker.round(client)
    worker.states.succeeded(worker.name, "", "")  # forget the cursor: read everything again
    worker.round(client)

    assert live.hub.recorder.max_notification_id() == position


def test_an_item_changed_in_sap_is_the_hubs_next_revision(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = new_supplier(sap)
    number = new_po(sap, supplier)
    worker.round(client)

    sap.change_quantity(number, "00010", Decimal(12))
    worker.round(client)

    po = supplier_sees(live, capsys, supplier, number, revision=2)
    assert po["revision"] == 2
    assert [x["orderedQuantity"] for x in po["lines"]] == ["12", "4"]


def test_a_goods_receipt_posted_in_sap_is_received_quantity_on_the_po_line(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = new_supplier(sap)
    number = new_po(sap, supplier)
    worker.round(client)

    sap.receive(number, "00010", Decimal(6), "TG14")
    worker.round(client)

    deadline = time.monotonic() + 10
    while True:
        po = supplier_sees(live, capsys, supplier, number)
        received = [(x["receivedQuantity"], x["orderedQuantity"]) for x in po["lines"]]
        if received[0][0] == "6" or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # polling the views, which the read side updates asynchronously
    assert received == [("6", "10"), ("0", "4")]


# --- write-backs ---------------------------------------------------------------------------


def test_the_suppliers_acknowledgement_lands_in_sap_as_one_ordrsp_idoc(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)

    worker.round(client)
    worker.round(client)

    idocs = sap.ordrsp_for(number)
    assert len(idocs) == 1
    payload = idocs[0][1]
    assert f"<BELNR>SO-{number}</BELNR>" in payload
    assert "<POSEX>00010</POSEX><MENEE>PC</MENEE><E1EDP20 SEGMENT=\"1\"><WMENG>10.000</WMENG>" \
           f"<EDATU>{LATER:%Y%m%d}</EDATU>" in payload  # fmt: skip
    assert worker.writebacks(client).pending() == 0


SUBMIT = """mutation($key: String!, $input: InvoiceInput!) {
  submitInvoice(idempotencyKey: $key, input: $input) { __typename } }"""


def test_a_matched_invoice_is_posted_once_to_saps_supplier_invoice_service(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = new_supplier(sap)
    number = new_po(sap, supplier)
    worker.round(client)
    sap.receive(number, "00010", Decimal(10), "TG14")
    worker.round(client)
    reference = f"INV-{number[-6:]}"
    invoice = {"invoiceNumber": reference, "poNumber": number, "currency": "EUR",
               "invoiceDate": "2027-03-20",
               "lines": [{"lineNumber": 10, "quantity": "10", "unitPrice": "1.50"}]}  # fmt: skip
    response = httpx.post(
        f"{live.url}/graphql", headers={"Authorization": f"Bearer {token(capsys, supplier)}"},
        json={"query": SUBMIT, "variables": {"key": reference, "input": invoice}},
    )  # fmt: skip
    assert "errors" not in response.json(), response.text

    worker.round(client)
    worker.states.succeeded(worker.name, "", "")
    worker.invoices(client).positions.set(worker.invoices(client).name, 0)  # replay them all
    worker.round(client)

    (posted,) = sap.supplier_invoices(supplier, reference)
    assert (posted["InvoiceGrossAmount"], posted["DocumentCurrency"]) == ("15.00", "EUR")
    items = posted["to_SuplrInvcItemPurOrdRef"]["results"]
    assert [(i["PurchaseOrder"], i["PurchaseOrderItem"], i["SupplierInvoiceItemAmount"])
            for i in items] == [(number, "00010", "15.00")]  # fmt: skip
    assert worker.invoices(client).pending() == 0


# --- faults, one each, with the outcome an operator wants ------------------------------------


def test_sap_busy_is_waited_out_for_its_retry_after_and_the_writeback_lands_once(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient, waits: Waits,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="busy", count=1)

    worker.round(client)

    assert waits.seconds and waits.seconds[0] >= 30  # mock-sap's Retry-After: 30
    assert len(sap.ordrsp_for(number)) == 1


def test_sap_busy_for_longer_than_the_client_waits_stops_the_round_and_keeps_the_position(
    sap: MockSap, live: LiveHub, worker: SapWorker, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    impatient = SapClient(sap.url, sap.user, sap.password, sleep=Waits(),
                          retry=Retry(max_wait_seconds=10))  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, impatient, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="busy", count=1)

    with pytest.raises(SapBusyError) as busy:
        worker.round(impatient)

    assert busy.value.retry_after == 30 and is_transient(busy.value)
    assert worker.writebacks(impatient).pending() == 1
    assert "No dialog work process available" in worker.states.get(worker.name).last_error
    worker.round(impatient)
    assert len(sap.ordrsp_for(number)) == 1


def test_a_locked_po_in_sap_opens_a_case_with_saps_message_and_the_worker_goes_on(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="lock")  # for ever

    worker.round(client)
    worker.round(client)

    assert refusals(live, number) == [
        "the ERP refused acknowledge: SAP: Document is locked by user MOCKUSER "
        "(/IWBEP/CX_MGW_BUSI_EXCEPTION, HTTP 423)"
    ]
    assert worker.writebacks(client).pending() == 0 and sap.ordrsp_for(number) == []


def test_a_precondition_failure_is_read_again_and_sent_once_more(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="precondition", count=1)

    worker.round(client)

    assert len(sap.ordrsp_for(number)) == 1 and refusals(live, number) == []


def test_a_precondition_failure_twice_is_a_case_for_the_buyer_not_an_endless_retry(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="precondition")

    worker.round(client)

    assert refusals(live, number) == [
        "the ERP refused acknowledge: SAP: The entity was changed by another user after it was "
        "read (/IWBEP/CX_MGW_BUSI_EXCEPTION, HTTP 412)"
    ]
    assert worker.writebacks(client).pending() == 0


def test_a_csrf_token_sap_no_longer_accepts_is_fetched_again(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="csrf", count=1)

    worker.round(client)

    assert client.renewals["csrf"] == 1
    assert len(sap.ordrsp_for(number)) == 1


def test_an_expired_session_is_renewed_with_the_credentials(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="expired-token", count=1)

    worker.round(client)

    assert client.renewals["session"] == 1
    assert len(sap.ordrsp_for(number)) == 1


def test_a_server_error_is_retried_with_growing_jittered_waits_then_lands(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient, waits: Waits,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match="^/sap/bc/idoc$", method="POST", scenario="error", count=2)

    worker.round(client)

    first, second = waits.seconds
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0  # 0.5 s doubled, in its upper half
    assert len(sap.ordrsp_for(number)) == 1 and refusals(live, number) == []


def test_a_read_that_times_out_is_retried_and_the_writeback_lands(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient, waits: Waits,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    number = released_and_acknowledged(sap, live, worker, client, capsys)
    sap.fault(match=f"A_PurchaseOrder\\('{number}'\\)", method="GET", scenario="timeout",
              count=1)  # fmt: skip

    worker.round(client)

    assert len(waits.seconds) == 1  # one timeout (2 s), one wait, then the read answered
    assert len(sap.ordrsp_for(number)) == 1


def test_sap_unreachable_while_answers_arrive_then_back_every_writeback_lands_once_in_order(
    sap: MockSap, live: LiveHub, worker: SapWorker, client: SapClient,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = new_supplier(sap)
    numbers = [new_po(sap, supplier) for _ in range(3)]
    worker.round(client)
    away = SapClient("http://127.0.0.1:9", sap.user, sap.password, sleep=Waits(),
                     retry=Retry(retries=1))  # fmt: skip
    for number in numbers:
        acknowledge(live, capsys, supplier, number)
        with pytest.raises(SapUnavailableError):
            worker.round(away)

    worker.round(client)
    worker.round(client)

    landed = [sap.ordrsp_for(number) for number in numbers]
    assert [len(found) for found in landed] == [1, 1, 1]
    docnums = [found[0][0] for found in landed]
    assert docnums == sorted(docnums)  # in the order the answers arrived
    assert worker.writebacks(client).pending() == 0


def test_credentials_sap_refuses_stop_the_worker_rather_than_lock_the_sap_user(
    sap: MockSap, worker: SapWorker
) -> None:
    wrong = SapClient(sap.url, sap.user, "not-the-password", sleep=Waits())

    with pytest.raises(SapAuthenticationError) as refused:
        worker.round(wrong)

    assert not is_transient(refused.value)
    assert wrong.renewals["session"] == 1  # one fresh session tried, then no more
    assert "SAP refused the credentials" in worker.states.get(worker.name).last_error
