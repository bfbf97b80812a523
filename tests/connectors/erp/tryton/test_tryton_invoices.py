"""A supplier invoice AP posts and then pays in the real Tryton shows in the supplier's invoice
lifecycle in GraphQL (approved, then paid), once: reading the same Tryton versions again
writes nothing; an invoice the hub never had is skipped, not retried."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving

from connectors.erp.seam import ErpDataError
from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.invoices import invoice_message
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker, load_cursors
from connectors.workers.loop import ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from domain.commands import ReportErpInvoiceStatus
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

SUBMIT = """mutation($key: String!, $input: InvoiceInput!) {
  submitInvoice(idempotencyKey: $key, input: $input) { __typename } }"""
VIEW = """query($n: String!) { purchaseOrder(number: $n) { invoices { invoiceNumber status } } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-in"), dev_mode=True), 0) as hub:
        yield hub


def as_supplier(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, query: str,
    variables: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    live.read_side.runner.catch_up()
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    response = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {capsys.readouterr().out.strip()}"},
    )  # fmt: skip
    found: dict[str, Any] = response.json()
    assert "errors" not in found, found
    data: dict[str, Any] = found["data"]
    return data


@pytest.mark.tryton
def test_a_supplier_invoice_posted_then_paid_in_tryton_shows_in_the_suppliers_lifecycle_once(
    buyer: TrytonClient, live: LiveHub, capsys: pytest.CaptureFixture[str]
) -> None:
    database = open_database(live.settings)
    worker = TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp")),
    )  # fmt: skip
    party = tb.supplier(buyer, f"Invoice Works {uuid.uuid4().hex[:6]}")
    product = tb.product(buyer, tb.new_code())
    purchase = tb.draft_purchase(
        buyer, party, [(product, Decimal(10), Decimal(2))], date(2027, 3, 1)
    )
    tb.click(buyer, purchase, "quote")
    tb.click(buyer, purchase, "confirm")
    found = tb.read(buyer, purchase, "number", "lines")
    number, supplier, reference = found["number"], party["code"], f"INV-{uuid.uuid4().hex[:6]}"
    worker.round(buyer)
    line = {"lineNumber": found["lines"][0], "quantity": "10", "unitPrice": "2"}
    invoice = {"invoiceNumber": reference, "poNumber": number, "currency": "EUR",
               "invoiceDate": "2027-03-02", "lines": [line]}  # fmt: skip
    submitted = as_supplier(live, capsys, supplier, SUBMIT, {"key": reference, "input": invoice})
    assert submitted["submitInvoice"]["__typename"] == "Accepted"

    def status() -> list[dict[str, str]]:
        po = as_supplier(live, capsys, supplier, VIEW, {"n": number})["purchaseOrder"]
        return list(po["invoices"])

    invoice_id = tb.post_invoice(buyer, purchase, reference, date(2027, 3, 2))
    worker.round(buyer)
    posted = status()
    tb.pay_invoice(buyer, invoice_id)
    worker.round(buyer)
    head = live.hub.recorder.max_notification_id()
    worker.round(buyer)  # the same versions again, inside the look-back window

    assert posted == [{"invoiceNumber": reference, "status": "approved"}]
    assert status() == [{"invoiceNumber": reference, "status": "paid"}]
    assert live.hub.recorder.max_notification_id() == head
    assert load_cursors(worker.states.get(worker.name).cursor).invoices.since is not None


def test_tryton_s_posted_is_approved_and_paid_is_paid_keyed_by_the_invoice_and_its_state() -> None:
    invoice = {"id": 7, "number": "12", "reference": "INV-1", "state": "posted",
               "party.": {"code": "SUP-1"}, "create_date": datetime(2027, 3, 2)}  # fmt: skip

    posted = invoice_message(invoice, "hub")
    paid = invoice_message({**invoice, "state": "paid"}, "hub")

    assert posted is not None and paid is not None
    assert posted.command == ReportErpInvoiceStatus(
        "SUP-1", "INV-1", "approved", "posted in Tryton as invoice 12"
    )
    assert isinstance(paid.command, ReportErpInvoiceStatus) and paid.command.status == "paid"
    assert (posted.message_id, paid.message_id) == (
        "tryton:hub:invoice:7:posted", "tryton:hub:invoice:7:paid"
    )  # fmt: skip
    assert invoice_message({**invoice, "state": "validated"}, "hub") is None


def test_a_posted_invoice_without_the_suppliers_number_is_an_error_naming_the_field() -> None:
    invoice = {"id": 8, "reference": None, "state": "posted", "party.": {"code": "SUP-1"}}

    with pytest.raises(ErpDataError, match=r"account\.invoice,8 reference: is required"):
        invoice_message(invoice, "hub")
