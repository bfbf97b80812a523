"""The Tryton worker's round without a server: an expired session is a transient failure
(the loop logs in again), recorded as the last error, and the cursor is kept as text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest

from connectors.erp.state import ErpStateStore
from connectors.erp.tryton.reader import TrytonCursor
from connectors.erp.tryton.rpc import TrytonAuthenticationError, TrytonClient
from connectors.erp.tryton.worker import (
    Cursors,
    SessionExpiredError,
    TrytonWorker,
    dump_cursors,
    load_cursors,
)
from connectors.workers.loop import ResilientLoop, WorkerHealth, is_transient
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from storage.database import Database


class ExpiredSession:
    database = "hub"

    def call_model(self, *_: Any) -> Any:
        raise TrytonAuthenticationError("model.purchase.purchase.search_read: HTTP 401")


def test_an_expired_session_is_a_transient_failure_recorded_as_the_last_error(
    tmp_path: Path,
) -> None:
    database = Database.sqlite(tmp_path / "hub.sqlite3")
    client = cast("TrytonClient", ExpiredSession())
    worker = TrytonWorker(
        SupplyHub(), lambda: client, "hub", ErpStateStore(database), PositionStore(database),
        ResilientLoop(WorkerHealth("erp")),
    )  # fmt: skip

    with pytest.raises(SessionExpiredError) as expired:
        worker.round(client)

    assert is_transient(expired.value)
    state = worker.states.get("tryton:hub")
    assert "HTTP 401" in state.last_error and state.last_success == ""


def test_the_cursors_survive_their_text_form() -> None:
    stamp = datetime(2026, 12, 4, 21, 0, 0, 123456)
    cursors = Cursors(
        TrytonCursor(stamp, frozenset({("purchase.purchase", 7, stamp)})), TrytonCursor()
    )

    assert load_cursors(dump_cursors(cursors)) == cursors
    assert load_cursors("") == Cursors()
