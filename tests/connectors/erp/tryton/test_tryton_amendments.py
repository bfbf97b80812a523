"""A quantity change the supplier proposes beyond tolerance, approved by the buyer in the hub's
GraphQL, becomes a validated purchase amendment in the real Tryton; Tryton's new revision
comes back as the hub's next revision with the changed line; a purchase that takes no
amendment is the buyer's case with Tryton's own message, and nothing is retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving
from test_tryton_writebacks import opened_cases, quoted_po

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker
from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.tryton

PROPOSE = """mutation($key: String!, $input: ChangeProposalInput!) {
  proposeChange(idempotencyKey: $key, input: $input) { __typename } }"""
APPROVE = """mutation($key: String!, $input: ChangeDecisionInput!) {
  approveChange(idempotencyKey: $key, input: $input) { __typename } }"""
VIEW = """query($n: String!) { purchaseOrder(number: $n) { revision
  lines { lineNumber orderedQuantity } revisions { revision linesChanged } } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-am"), dev_mode=True), 0) as hub:
        yield hub


@pytest.fixture
def worker(live: LiveHub, buyer: TrytonClient) -> TrytonWorker:
    database = open_database(live.settings)
    return TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp"), Backoff(0.05, 0.2)),
    )  # fmt: skip


def graphql(
    live: LiveHub, capsys: pytest.CaptureFixture[str], role: list[str], query: str,
    variables: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    capsys.readouterr()
    assert main(["token", "create", "--role", *role]) == 0
    response = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {capsys.readouterr().out.strip()}"},
    )  # fmt: skip
    found: dict[str, Any] = response.json()
    assert "errors" not in found, found
    data: dict[str, Any] = found["data"]
    return data


def propose_and_approve(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str, line: int,
    quantity: Decimal, need_by: date | None = None,
) -> None:  # fmt: skip
    """The supplier proposes `quantity` for `line` (beyond tolerance: the hub escalates it to
    the buyer), and the buyer approves it, both through GraphQL."""
    change = {"poNumber": number, "revision": 1, "lineNumber": line,
              "proposalId": f"CP-{number}", "quantity": str(quantity)}  # fmt: skip
    if need_by is not None:
        change["needBy"] = str(need_by)
    proposed = graphql(live, capsys, ["supplier", "--supplier", supplier], PROPOSE,
                       {"key": f"CP-{number}", "input": change})  # fmt: skip
    assert proposed == {"proposeChange": {"__typename": "ToleranceExceeded"}}
    breaches = [c for c in opened_cases(live) if c["document"] == f"po:{number}"]
    assert [c["category"] for c in breaches] == ["tolerance_breach"]
    decision = {"poNumber": number, "proposalId": f"CP-{number}"}
    approved = graphql(live, capsys, ["buyer"], APPROVE, {"key": f"OK-{number}", "input": decision})
    assert approved == {"approveChange": {"__typename": "Accepted"}}


def test_an_approved_quantity_change_is_a_validated_amendment_and_tryton_s_new_revision_comes_back(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, (first, second) = quoted_po(buyer)
    tb.click(buyer, purchase, "confirm")
    worker.round(buyer)  # released in the hub as revision 1
    propose_and_approve(live, capsys, supplier, number, first, Decimal(4))

    worker.round(buyer)  # the amendment
    worker.round(buyer)  # Tryton's revision 1 back in the hub
    worker.round(buyer)  # nothing more

    (amendment,) = buyer.call_model(
        "purchase.amendment", "search_read", [["purchase", "=", purchase]], 0, None, None,
        ["state", "lines"],
    )  # fmt: skip
    assert amendment["state"] == "validated" and len(amendment["lines"]) == 1
    assert tb.read(buyer, purchase, "revision", "state") == {
        "id": purchase,
        "revision": 1,
        "state": "processing",
    }
    quantities = buyer.call_model("purchase.line", "read", [first, second], ["quantity"])
    assert [q["quantity"] for q in quantities] == [4, 10]
    draft_moves = buyer.call_model(
        "stock.move", "search_read",
        [["origin", "=", f"purchase.line,{first}"], ["state", "=", "draft"]], 0, None, None,
        ["quantity"],
    )  # fmt: skip
    assert [m["quantity"] for m in draft_moves] == [4]
    live.read_side.runner.catch_up()
    po = graphql(live, capsys, ["supplier", "--supplier", supplier], VIEW, {"n": number})
    assert po["purchaseOrder"]["revision"] == 2
    lines = {x["lineNumber"]: x["orderedQuantity"] for x in po["purchaseOrder"]["lines"]}
    assert lines == {first: "4", second: "10"}
    assert po["purchaseOrder"]["revisions"][-1] == {"revision": 2, "linesChanged": [first]}
    assert worker.writebacks(buyer).pending() == 0


def test_a_purchase_tryton_takes_no_amendment_for_is_the_buyers_case_and_the_date_still_lands(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, (first, _) = quoted_po(buyer)  # quoted, not confirmed
    worker.round(buyer)
    propose_and_approve(live, capsys, supplier, number, first, Decimal(4), date(2027, 3, 20))

    worker.round(buyer)
    worker.round(buyer)  # not retried: the position moved past it

    refused = [
        c for c in opened_cases(live)
        if c["document"] == f"po:{number}" and c["category"] == "erp_refused"
    ]  # fmt: skip
    assert len(refused) == 1, refused
    assert '"Purchase"' in refused[0]["reason"], refused  # Tryton's words on the field
    assert buyer.call_model("purchase.amendment", "search", [["purchase", "=", purchase]]) == []
    assert tb.read(buyer, purchase, "revision")["revision"] == 0
    (line,) = buyer.call_model("purchase.line", "read", [first], ["delivery_date", "quantity"])
    assert (line["delivery_date"], line["quantity"]) == (date(2027, 3, 20), 10)
    assert worker.writebacks(buyer).pending() == 0
