"""What an operator sees of the ERP adapter through the API: its lag in /readyz (shown, never
a reason to refuse traffic) and its gauges in /metrics, read from the worker's own record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_server import LiveHub, serving, token
from test_tryton_writebacks import acknowledge, quoted_po
from tryton_server import TrytonServer

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.worker import TrytonWorker
from connectors.workers.loop import ResilientLoop, WorkerHealth
from connectors.workers.positions import PositionStore
from supplyhub.settings import Settings
from supplyhub.workers import open_database

pytestmark = pytest.mark.tryton


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, tryton_server: TrytonServer
) -> Iterator[LiveHub]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("tryton-ops"), dev_mode=True, erp_adapter="tryton",
        erp_url=tryton_server.url, erp_database=tryton_server.database,
        erp_user=tryton_server.user,
    )  # fmt: skip
    with serving(settings, 0) as hub:
        yield hub


def erp_in_readyz(live: LiveHub) -> tuple[int, dict[str, Any]]:
    response = httpx.get(f"{live.url}/readyz")
    found: dict[str, Any] = response.json()["erp"]["tryton:hub"]
    return response.status_code, found


def test_the_erp_lag_shows_in_readyz_and_metrics_and_never_makes_the_api_unready(
    buyer: TrytonClient, live: LiveHub, capsys: pytest.CaptureFixture[str]
) -> None:
    database = open_database(live.settings)
    worker = TrytonWorker(
        live.hub, lambda: buyer, buyer.database, ErpStateStore(database),
        PositionStore(database), ResilientLoop(WorkerHealth("erp")),
    )  # fmt: skip
    before = erp_in_readyz(live)
    supplier, number, _, lines = quoted_po(buyer)
    worker.round(buyer)
    acknowledge(live, capsys, supplier, number, lines, key=f"SO-{number}")

    waiting = erp_in_readyz(live)
    metrics = httpx.get(f"{live.url}/metrics", headers=token("--role", "admin")).text
    worker.round(buyer)
    after = erp_in_readyz(live)

    assert before == (200, {"pending_writebacks": 0, "seconds_since_success": None,
                            "last_error": ""})  # fmt: skip
    status, lag = waiting
    assert status == 200 and lag["pending_writebacks"] == 1
    assert 0 <= lag["seconds_since_success"] < 60
    assert re.search(r'supplyhub_erp_pending_writebacks\{erp="tryton:hub"\} 1\.0', metrics)
    success = r'supplyhub_erp_last_success_timestamp_seconds\{erp="tryton:hub"\} 1\.\d+e\+09'
    assert re.search(success, metrics)
    assert after[1]["pending_writebacks"] == 0
