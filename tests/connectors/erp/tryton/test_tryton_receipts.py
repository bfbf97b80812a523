"""A delivery received in Tryton reaches the supplier's GraphQL as a goods receipt against the
PO line: a partial one shows the quantity received against the quantity ordered, and reading
the same moves again writes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker
from connectors.workers.loop import ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.tryton

QUERY = """query($n: String!) { purchaseOrder(number: $n) {
  lines { lineNumber orderedQuantity receivedQuantity }
  receipts { receiptNumber receivedOn hasVariance lines { lineNumber accepted } } } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-gr"), dev_mode=True), 0) as hub:
        yield hub


def suppliers_view(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str
) -> dict[str, Any]:
    """The PO in the supplier's GraphQL, once the views caught up with the log."""
    live.read_side.runner.catch_up()
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    response = httpx.post(
        f"{live.url}/graphql", json={"query": QUERY, "variables": {"n": number}},
        headers={"Authorization": f"Bearer {capsys.readouterr().out.strip()}"},
    )  # fmt: skip
    found: dict[str, Any] = response.json()["data"]["purchaseOrder"]
    return found


def test_a_partial_receipt_in_tryton_shows_as_received_against_ordered_and_once(
    buyer: TrytonClient, live: LiveHub, capsys: pytest.CaptureFixture[str]
) -> None:
    database = open_database(live.settings)
    worker = TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp")),
    )  # fmt: skip
    party = tb.supplier(buyer, f"Nut House {uuid.uuid4().hex[:6]}")
    products = [tb.product(buyer, tb.new_code()) for _ in range(2)]
    purchase = tb.draft_purchase(
        buyer, party, [(p, Decimal(40), Decimal(2)) for p in products], date(2027, 3, 1)
    )
    tb.click(buyer, purchase, "quote")
    tb.click(buyer, purchase, "confirm")
    found = tb.read(buyer, purchase, "number", "lines")
    number, (first, second) = found["number"], found["lines"]
    worker.round(buyer)

    tb.receive(buyer, purchase, first, Decimal(30))
    worker.round(buyer)
    head = live.hub.recorder.max_notification_id()
    worker.round(buyer)  # the same done move read again (the look-back window)

    assert live.hub.recorder.max_notification_id() == head
    po = suppliers_view(live, capsys, party["code"], number)
    lines = [(x["lineNumber"], x["orderedQuantity"], x["receivedQuantity"]) for x in po["lines"]]
    assert lines == [(first, "40", "30"), (second, "40", "0")]
    (receipt,) = po["receipts"]
    assert receipt["lines"] == [{"lineNumber": first, "accepted": "30"}]
    assert receipt["receiptNumber"].startswith("tryton-move-")
    assert tb.read(buyer, purchase, "shipment_state")["shipment_state"] == "partially shipped"


def test_more_received_in_tryton_than_ordered_is_a_variance_without_any_asn(
    buyer: TrytonClient, live: LiveHub, capsys: pytest.CaptureFixture[str]
) -> None:
    database = open_database(live.settings)
    worker = TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp")),
    )  # fmt: skip
    party = tb.supplier(buyer, f"Over Supply {uuid.uuid4().hex[:6]}")
    product = tb.product(buyer, tb.new_code())
    purchase = tb.draft_purchase(
        buyer, party, [(product, Decimal(40), Decimal(2))], date(2027, 3, 1)
    )
    tb.click(buyer, purchase, "quote")
    tb.click(buyer, purchase, "confirm")
    found = tb.read(buyer, purchase, "number", "lines")
    number, (line,) = found["number"], found["lines"]
    worker.round(buyer)

    tb.receive(buyer, purchase, line, Decimal(45))
    worker.round(buyer)

    po = suppliers_view(live, capsys, party["code"], number)
    assert [(x["orderedQuantity"], x["receivedQuantity"]) for x in po["lines"]] == [("40", "45")]
    (receipt,) = po["receipts"]
    assert receipt["hasVariance"] is True
    topic = "supplyhub:ExceptionCase.Opened"
    opened = live.hub.recorder.select_notifications(1, 100_000, topics=(topic,))
    cases = [vars(live.hub.mapper.to_domain_event(n)) for n in opened]
    (case,) = [c for c in cases if c["document"] == f"receipt:{receipt['receiptNumber']}"]
    assert case["category"] == "quantity_variance" and "received 45, po said 40" in case["reason"]
