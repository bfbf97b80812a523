"""A real Tryton to the supplier's GraphQL: a PO the buyer quotes in Tryton reaches the hub in
one pull, each new Tryton revision is the hub's next one, a cancellation cancels, and reading
the same versions again writes nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving
from tryton_server import TrytonServer

from connectors.erp.tryton.pull import PullReport, pull_once
from connectors.erp.tryton.reader import TrytonCursor
from connectors.erp.tryton.rpc import TrytonAccessError, TrytonAuthenticationError, TrytonClient
from supplyhub.cli import main
from supplyhub.settings import Settings

pytestmark = pytest.mark.tryton

DELIVERY = date(2027, 3, 1)
PO_QUERY = """query($n: String!) { purchaseOrder(number: $n) {
  number supplier currency revision status
  lines { lineNumber item uom orderedQuantity unitPrice needBy shipTo } } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """An empty hub (no demo data) serving GraphQL on a real uvicorn."""
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-hub"), dev_mode=True), 0) as hub:
        yield hub


@pytest.fixture(scope="module")
def puller(live: LiveHub) -> Iterator[list[TrytonCursor]]:
    """The cursor the pulls of this module share, as the ERP worker will keep it."""
    yield [TrytonCursor()]


def pull(client: TrytonClient, live: LiveHub, cursor: list[TrytonCursor]) -> PullReport:
    report = pull_once(client, live.hub, cursor[0])
    assert report.refused is None and not report.failed, (report.refused, report.failed)
    cursor[0] = report.cursor
    return report


def supplier_sees(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str, **expected: Any
) -> dict[str, Any]:
    """The PO in the supplier's GraphQL once the views show `expected` (or the last answer)."""
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
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


def quoted_po(buyer: TrytonClient, quantity: Decimal = Decimal(100)) -> tuple[dict[str, Any], int]:
    party = tb.supplier(buyer, f"Acme Fasteners {uuid.uuid4().hex[:6]}")
    bolt, nut = tb.product(buyer, tb.new_code()), tb.product(buyer, tb.new_code())
    purchase = tb.draft_purchase(
        buyer, party, [(bolt, quantity, Decimal("0.35")), (nut, Decimal(40), Decimal("0.10"))],
        DELIVERY,
    )  # fmt: skip
    tb.click(buyer, purchase, "quote")
    return party, purchase


def test_a_po_quoted_in_tryton_shows_in_the_suppliers_graphql_after_one_pull(
    buyer: TrytonClient, live: LiveHub, puller: list[TrytonCursor],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    party, purchase = quoted_po(buyer)
    number = tb.read(buyer, purchase, "number")["number"]

    pull(buyer, live, puller)

    po = supplier_sees(live, capsys, party["code"], number, revision=1)
    assert (po["supplier"], po["currency"], po["revision"], po["status"]) == (
        party["code"],
        "EUR",
        1,
        "open",
    )
    assert [(x["uom"], x["orderedQuantity"], x["unitPrice"], x["needBy"], x["shipTo"])
            for x in po["lines"]] == [
        ("EA", "100", "0.35", "2027-03-01", "WH"), ("EA", "40", "0.10", "2027-03-01", "WH"),
    ]  # fmt: skip
    assert all(line["item"].startswith("ITEM-") for line in po["lines"])


def test_a_draft_po_is_not_released_to_its_supplier(
    buyer: TrytonClient, live: LiveHub, puller: list[TrytonCursor],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    party = tb.supplier(buyer, "Draft Only Ltd")
    purchase = tb.draft_purchase(
        buyer, party, [(tb.product(buyer, tb.new_code()), Decimal(5), Decimal(2))], DELIVERY
    )

    report = pull(buyer, live, puller)

    assert tb.read(buyer, purchase, "state")["state"] == "draft"
    assert report.changed == ()


def test_pulling_the_same_tryton_versions_again_writes_nothing(
    buyer: TrytonClient, live: LiveHub, puller: list[TrytonCursor]
) -> None:
    _, purchase = quoted_po(buyer)
    number = tb.read(buyer, purchase, "number")["number"]
    first = pull(buyer, live, puller)
    head = live.hub.recorder.max_notification_id()

    again = pull(buyer, live, puller)
    from_scratch = pull_once(buyer, live.hub, TrytonCursor())  # every version read once more

    assert f"po:{number}" in first.changed
    assert (again.changed, from_scratch.changed, from_scratch.refused) == ((), (), None)
    assert live.hub.recorder.max_notification_id() == head


def test_a_new_tryton_revision_becomes_the_hubs_next_revision(
    buyer: TrytonClient, live: LiveHub, puller: list[TrytonCursor],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    party, purchase = quoted_po(buyer)
    number = tb.read(buyer, purchase, "number")["number"]
    pull(buyer, live, puller)

    tb.click(buyer, purchase, "draft")  # purchase_history: revision 0 -> 1
    tb.set_line_quantity(buyer, purchase, Decimal(120))
    between = pull(buyer, live, puller)  # a draft: the supplier keeps the quoted revision
    tb.click(buyer, purchase, "quote")
    pull(buyer, live, puller)

    assert between.changed == ()
    assert tb.read(buyer, purchase, "revision")["revision"] == 1
    po = supplier_sees(live, capsys, party["code"], number, revision=2)
    assert po["revision"] == 2
    assert [line["orderedQuantity"] for line in po["lines"]] == ["120", "40"]


def test_a_po_cancelled_in_tryton_is_cancelled_in_the_hub(
    buyer: TrytonClient, live: LiveHub, puller: list[TrytonCursor],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    party, purchase = quoted_po(buyer)
    number = tb.read(buyer, purchase, "number")["number"]
    pull(buyer, live, puller)

    tb.click(buyer, purchase, "cancel")
    report = pull(buyer, live, puller)

    assert report.changed == (f"po:{number}",)
    assert supplier_sees(live, capsys, party["code"], number, status="cancelled")["status"] == (
        "cancelled"
    )


def test_a_write_tryton_refuses_in_this_state_is_an_access_error_naming_the_field(
    buyer: TrytonClient,
) -> None:
    _, purchase = quoted_po(buyer)
    line = tb.read(buyer, purchase, "lines")["lines"][0]

    with pytest.raises(TrytonAccessError, match="Quantity"):
        buyer.call_model("purchase.line", "write", [line], {"quantity": 1.0})


def test_a_wrong_password_is_an_authentication_error_and_opens_no_session(
    tryton_server: TrytonServer,
) -> None:
    client = TrytonClient(tryton_server.url, tryton_server.database)

    with pytest.raises(TrytonAuthenticationError):
        client.login(tryton_server.user, "not-the-password")
    with pytest.raises(TrytonAuthenticationError):
        client.call_model("purchase.purchase", "search", [])
