"""The supplier's answer, given in the hub's GraphQL, reaches the real Tryton through the ERP
worker: on the quoted PO's lines and then confirmed; on the confirmed PO's stock moves; as a
buyer's case when Tryton cannot take it; and, after Tryton was unreachable, once and in order."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving
from tryton_server import TrytonServer

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker
from connectors.workers.loop import RETRYING, Backoff, ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.tryton

DELIVERY = date(2027, 3, 1)
LATER = date(2027, 3, 9)  # beyond the default tolerance (2 days late)
SOON = date(2027, 3, 3)  # inside it
ACK = """mutation($key: String!, $input: AcknowledgementInput!) {
  acknowledgePurchaseOrder(idempotencyKey: $key, input: $input) { __typename } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-wb"), dev_mode=True), 0) as hub:
        yield hub


@pytest.fixture
def worker(live: LiveHub, buyer: TrytonClient) -> TrytonWorker:
    """The ERP worker on the hub's store, its rounds run by the test on the buyer's session."""
    database = open_database(live.settings)
    return TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp"), Backoff(0.05, 0.2)),
        poll_seconds=0.05,
    )  # fmt: skip


def quoted_po(buyer: TrytonClient) -> tuple[str, str, int, list[int]]:
    """(supplier code, PO number, Tryton id, line ids) of a new two-line quoted purchase."""
    party = tb.supplier(buyer, f"Bolt Works {uuid.uuid4().hex[:6]}")
    products = [tb.product(buyer, tb.new_code()) for _ in range(2)]
    purchase = tb.draft_purchase(
        buyer, party, [(p, Decimal(10), Decimal("1.50")) for p in products], DELIVERY
    )
    tb.click(buyer, purchase, "quote")
    found = tb.read(buyer, purchase, "number", "lines")
    return party["code"], found["number"], purchase, found["lines"]


def acknowledge(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str,
    lines: list[int], key: str, revision: int = 1, dated: date | None = LATER,
) -> None:  # fmt: skip
    """The supplier accepts every line through GraphQL, the first one for `dated`."""
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    token = capsys.readouterr().out.strip()
    answers = [{"lineNumber": n, "code": "Accepted"} for n in lines]
    if dated is not None:
        answers[0] = {**answers[0], "code": "Partially Accepted", "confirmedDate": str(dated)}
    response = httpx.post(
        f"{live.url}/graphql", headers={"Authorization": f"Bearer {token}"},
        json={"query": ACK, "variables": {"key": key, "input": {
            "poNumber": number, "revision": revision, "lines": answers}}},
    )  # fmt: skip
    assert response.json() == {"data": {"acknowledgePurchaseOrder": {"__typename": "Accepted"}}}, (
        response.text
    )


PROPOSE = """mutation($key: String!, $input: ChangeProposalInput!) {
  proposeChange(idempotencyKey: $key, input: $input) { __typename } }"""


def propose_date(
    live: LiveHub, capsys: pytest.CaptureFixture[str], supplier: str, number: str, line: int,
    need_by: date,
) -> dict[str, Any]:  # fmt: skip
    capsys.readouterr()
    assert main(["token", "create", "--role", "supplier", "--supplier", supplier]) == 0
    token = capsys.readouterr().out.strip()
    change = {"poNumber": number, "revision": 1, "lineNumber": line,
              "proposalId": f"CP-{number}", "needBy": str(need_by)}  # fmt: skip
    response = httpx.post(
        f"{live.url}/graphql", headers={"Authorization": f"Bearer {token}"},
        json={"query": PROPOSE, "variables": {"key": f"CP-{number}", "input": change}},
    )  # fmt: skip
    found: dict[str, Any] = response.json()
    return found


def moves(buyer: TrytonClient, line: int) -> list[tuple[str, date]]:
    found = buyer.call_model(
        "stock.move", "search_read", [["origin", "=", f"purchase.line,{line}"]], 0, None,
        [["id", "ASC"]], ["state", "planned_date"],
    )  # fmt: skip
    return [(m["state"], m["planned_date"]) for m in found]


def log_of(buyer: TrytonClient, purchase: int) -> list[tuple[int, str, str]]:
    """Tryton's own record of what was done to the purchase: (log id, event, target)."""
    found = buyer.call_model(
        "ir.model.log", "search_read", [["resource", "=", f"purchase.purchase,{purchase}"]],
        0, None, [["id", "ASC"]], ["event", "target"],
    )  # fmt: skip
    return [(entry["id"], entry["event"], entry["target"] or "") for entry in found]


def test_the_suppliers_changed_date_lands_on_the_quoted_tryton_po_which_is_then_confirmed(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    worker.round(buyer)  # the release reaches the hub
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}", dated=SOON)

    worker.round(buyer)

    found = tb.read(buyer, purchase, "state", "reference")
    assert (found["state"], found["reference"]) == ("processing", f"SO-{number}")
    (first, second) = buyer.call_model("purchase.line", "read", lines, ["delivery_date"])
    assert (first["delivery_date"], second["delivery_date"]) == (SOON, DELIVERY)
    assert moves(buyer, lines[0]) == [("draft", SOON)]


def test_a_date_beyond_the_tolerance_shows_on_the_quoted_po_which_waits_for_the_buyer(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    worker.round(buyer)
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}", dated=LATER)

    worker.round(buyer)

    assert tb.read(buyer, purchase, "state")["state"] == "quotation"
    (first,) = buyer.call_model("purchase.line", "read", lines[:1], ["delivery_date"])
    assert first["delivery_date"] == LATER
    categories = [c["category"] for c in opened_cases(live) if c["document"] == f"po:{number}"]
    assert categories == ["tolerance_breach"]


def test_after_tryton_confirmed_the_po_the_confirmed_date_moves_its_draft_stock_move(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    tb.click(buyer, purchase, "confirm")
    worker.round(buyer)
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}")

    worker.round(buyer)
    worker.round(buyer)  # nothing left: writes nothing more

    assert moves(buyer, lines[0]) == [("draft", LATER)]
    assert moves(buyer, lines[1]) == [("draft", DELIVERY)]
    writes = [target for _, event, target in log_of(buyer, purchase) if event == "write"]
    assert writes == ["reference"]


def test_a_new_date_agreed_through_a_change_proposal_moves_the_confirmed_pos_stock_move(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    tb.click(buyer, purchase, "confirm")
    worker.round(buyer)
    within_tolerance = date(2027, 3, 3)  # two days late: applied without the buyer

    answer = propose_date(live, capsys, supplier, number, lines[1], within_tolerance)
    worker.round(buyer)

    assert answer == {"data": {"proposeChange": {"__typename": "Accepted"}}}
    assert moves(buyer, lines[1]) == [("draft", within_tolerance)]
    assert moves(buyer, lines[0]) == [("draft", DELIVERY)]
    assert tb.read(buyer, purchase, "reference")["reference"] is None


def test_a_writeback_repeated_after_a_crash_before_its_position_was_committed_writes_nothing(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    worker.round(buyer)
    name = worker.writebacks(buyer).name
    before = worker.positions.get(name)
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}", dated=SOON)
    worker.round(buyer)
    landed = log_of(buyer, purchase)

    worker.positions.set(name, before)  # as if the process died before committing it
    worker.round(buyer)

    assert worker.positions.get(name) > before
    assert log_of(buyer, purchase) == landed
    assert [t for _, e, t in landed if e in ("write", "button")][-2:] == ["reference", "confirm"]


def test_an_answer_tryton_cannot_take_opens_a_case_for_the_buyer_and_the_next_one_lands(
    buyer: TrytonClient, live: LiveHub, worker: TrytonWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    supplier, number, purchase, lines = quoted_po(buyer)
    other_supplier, other, other_purchase, other_lines = quoted_po(buyer)
    worker.round(buyer)
    tb.click(buyer, purchase, "draft")  # the buyer takes it back: Tryton revision 1
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}")
    acknowledge(live, capsys, other_supplier, other, other_lines, key=f"SO-{other}", dated=SOON)

    worker.round(buyer)

    cases = [
        c for c in opened_cases(live) if c["document"] == f"po:{number}"
        and c["category"] == "erp_refused"
    ]  # fmt: skip
    assert len(cases) == 1 and "revision 1 in Tryton" in cases[0]["reason"], cases
    assert tb.read(buyer, other_purchase, "state")["state"] == "processing"
    assert worker.writebacks(buyer).pending() == 0


def opened_cases(live: LiveHub) -> list[dict[str, Any]]:
    topic = "supplyhub:ExceptionCase.Opened"
    found = live.hub.recorder.select_notifications(1, 100_000, topics=(topic,))
    return [vars(live.hub.mapper.to_domain_event(n)) for n in found]


def test_tryton_unreachable_while_answers_arrive_then_back_every_writeback_lands_once_in_order(
    buyer: TrytonClient, live: LiveHub, tryton_server: TrytonServer, worker: TrytonWorker,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    orders = [quoted_po(buyer) for _ in range(5)]
    worker.round(buyer)
    away = TrytonClient("http://127.0.0.1:9", buyer.database, timeout=2)  # nothing listens
    target: list[Callable[[], TrytonClient]] = [lambda: away]
    worker.connect = lambda: target[0]()
    for supplier, number, _, lines in orders:
        acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}", dated=SOON)

    rounds = worker.rounds
    with Running(worker) as stop:
        wait_for(lambda: worker.loop.health.state.state == RETRYING)
        assert worker.writebacks(buyer).pending() == len(orders)
        target[0] = lambda: logged_in(tryton_server)  # Tryton is back: a new session
        wait_for(lambda: worker.writebacks(buyer).pending() == 0 and worker.rounds > rounds)
        stop()

    logs = [log_of(buyer, purchase) for _, _, purchase, _ in orders]
    landed = (("write", "reference"), ("button", "confirm"))
    for log in logs:
        assert [(e, t) for _, e, t in log if (e, t) in landed] == list(landed)  # once each
    confirmed_at = [next(i for i, e, t in log if t == "confirm") for log in logs]
    assert confirmed_at == sorted(confirmed_at)  # in the order the answers arrived
    state = worker.states.get(worker.name)
    assert "Connection" in state.last_error and state.last_success > state.last_error_at


def logged_in(server: TrytonServer) -> TrytonClient:
    client = TrytonClient(server.url, server.database)
    client.login(server.user, server.password)
    return client


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)  # polling a condition another thread makes true


class Running:
    """The worker's loop in a thread until the block ends (or `stop()` is called)."""

    def __init__(self, worker: TrytonWorker) -> None:
        self.worker = worker
        self.loop = asyncio.new_event_loop()
        self.event = asyncio.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        self.loop.run_until_complete(self.worker.run(self.event))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.event.set)
        self.thread.join(10)

    def __enter__(self) -> Callable[[], None]:
        self.thread.start()
        return self.stop

    def __exit__(self, *_: object) -> None:
        self.stop()
        self.loop.close()
