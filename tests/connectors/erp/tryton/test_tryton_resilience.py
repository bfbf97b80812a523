"""The ERP away, killed or forgetting the session while the suppliers' answers arrive through the
hub: every write-back lands in Tryton once, in the order the answers arrived.

Each answer here rejects the PO's line, so its write-back is the purchase's `reference`
alone (no `confirm`: Tryton's confirm costs ~1 s on SQLite, and the confirm path is proved
once-and-in-order in test_tryton_writebacks.py). Tryton's own `ir.model.log` is the witness:
one `reference` write per purchase, in log order."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import tryton_buyer as tb
from live_server import LiveHub, serving
from test_tryton_writebacks import Running, logged_in, wait_for
from tryton_server import SecondTrytond, TrytonServer

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker
from connectors.workers.loop import RETRYING, Backoff, ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.tryton

ACK = """mutation($key: String!, $input: AcknowledgementInput!) {
  acknowledgePurchaseOrder(idempotencyKey: $key, input: $input) { __typename } }"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serving(Settings(data_dir=tmp_path_factory.mktemp("tryton-rs"), dev_mode=True), 0) as hub:
        yield hub


@pytest.fixture
def worker(live: LiveHub, buyer: TrytonClient) -> TrytonWorker:
    database = open_database(live.settings)
    return TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp"), Backoff(0.05, 0.3)),
        poll_seconds=0.05,
    )  # fmt: skip


class Supplier:
    """One supplier party with `count` quoted one-line purchases, released in the hub."""

    def __init__(self, buyer: TrytonClient, worker: TrytonWorker, count: int) -> None:
        self.party = tb.supplier(buyer, f"Steady Parts {uuid.uuid4().hex[:6]}")
        product = tb.product(buyer, tb.new_code())
        self.purchases = tb.quoted_purchases(buyer, self.party, [product], count, date(2027, 3, 1))
        found = buyer.call_model("purchase.purchase", "read", self.purchases, ["number", "lines"])
        self.orders = [(p["number"], p["lines"][0]) for p in found]
        worker.round(buyer)  # released in the hub

    def answer_all(self, live: LiveHub, capsys: pytest.CaptureFixture[str]) -> None:
        """The supplier rejects each PO's line through GraphQL, in purchase order."""
        capsys.readouterr()
        assert (
            main(["token", "create", "--role", "supplier", "--supplier", self.party["code"]]) == 0
        )
        headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
        with httpx.Client(base_url=live.url, headers=headers) as portal:
            for number, line in self.orders:
                answer = {"poNumber": number, "revision": 1,
                          "lines": [{"lineNumber": line, "code": "Rejected"}]}  # fmt: skip
                response = portal.post("/graphql", json={"query": ACK, "variables": {
                    "key": f"SO-{number}", "input": answer}})  # fmt: skip
                assert "errors" not in response.json(), response.text

    def references_written(self, buyer: TrytonClient) -> list[int]:
        """Tryton's log of `reference` writes to these purchases: the purchase ids, in log order."""
        found = buyer.call_model(
            "ir.model.log", "search_read",
            [["resource", "in", [f"purchase.purchase,{p}" for p in self.purchases]],
             ["event", "=", "write"], ["target", "=", "reference"]],
            0, None, [["id", "ASC"]], ["resource"],
        )  # fmt: skip
        return [int(str(entry["resource"]).split(",")[1]) for entry in found]


def test_tryton_unreachable_while_200_answers_arrive_then_back_all_200_land_once_in_order(
    buyer: TrytonClient, live: LiveHub, tryton_server: TrytonServer, worker: TrytonWorker,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = Supplier(buyer, worker, 200)
    away = TrytonClient("http://127.0.0.1:9", buyer.database, timeout=2)  # nothing listens
    target: list[Callable[[], TrytonClient]] = [lambda: away]
    worker.connect = lambda: target[0]()

    with Running(worker):
        wait_for(lambda: worker.loop.health.state.state == RETRYING)
        supplier.answer_all(live, capsys)
        assert worker.writebacks(buyer).pending() == 200
        target[0] = lambda: logged_in(tryton_server)  # Tryton is back
        wait_for(lambda: worker.writebacks(buyer).pending() == 0, seconds=120)

    assert supplier.references_written(buyer) == supplier.purchases  # once each, in order
    references = buyer.call_model("purchase.purchase", "read", supplier.purchases, ["reference"])
    assert [r["reference"] for r in references] == [f"SO-{n}" for n, _ in supplier.orders]


def test_trytond_killed_mid_writeback_and_restarted_every_writeback_lands_once_in_order(
    buyer: TrytonClient, live: LiveHub, tryton_server: TrytonServer, worker: TrytonWorker,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    supplier = Supplier(buyer, worker, 20)
    with SecondTrytond(tryton_server, tmp_path) as erp:
        worker.connect = lambda: logged_in_at(erp.url, tryton_server)
        supplier.answer_all(live, capsys)

        with Running(worker):
            wait_for(lambda: len(supplier.references_written(buyer)) >= 3)
            erp.kill()  # SIGKILL, in the middle of the write-backs
            landed = len(supplier.references_written(buyer))
            wait_for(lambda: worker.loop.health.state.state == RETRYING)
            erp.start()  # the same database file, the same port
            wait_for(lambda: worker.writebacks(buyer).pending() == 0, seconds=90)

    assert landed < len(supplier.purchases)  # it really was cut mid-way
    assert supplier.references_written(buyer) == supplier.purchases  # once each, in order


def test_a_session_tryton_forgot_is_opened_again_and_the_next_answer_lands(
    buyer: TrytonClient, live: LiveHub, tryton_server: TrytonServer, worker: TrytonWorker,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    supplier = Supplier(buyer, worker, 1)
    sessions: list[TrytonClient] = []

    def connect() -> TrytonClient:
        sessions.append(logged_in(tryton_server))
        return sessions[-1]

    worker.connect = connect
    with Running(worker):
        wait_for(lambda: len(sessions) == 1 and worker.rounds > 0)
        forget(sessions[0])  # Tryton drops the session (expiry, an admin, a restart of ir.session)
        supplier.answer_all(live, capsys)
        wait_for(lambda: worker.writebacks(buyer).pending() == 0)

    assert len(sessions) == 2  # logged in once more, not retried on the dead session
    assert supplier.references_written(buyer) == supplier.purchases
    assert "HTTP 401" in worker.states.get(worker.name).last_error  # the session refused


def logged_in_at(url: str, server: TrytonServer) -> TrytonClient:
    client = TrytonClient(url, server.database, timeout=5)
    client.login(server.user, server.password)
    return client


def forget(session: TrytonClient) -> None:
    """End `session` in Tryton behind the worker's back (the worker keeps its token)."""
    twin: Any = TrytonClient(session.url, session.database)
    twin._authorization = session._authorization  # the same session, another client object
    twin.logout()
