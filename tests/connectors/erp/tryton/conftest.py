"""The session's real trytond (tryton_server.py) and a logged-in client per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tryton_server import TrytonServer, start_tryton

from connectors.erp.tryton.rpc import TrytonClient

# The live-server helper of the API tests (tests/api/live_server.py) serves the hub here too.
sys.path.insert(0, str(Path(__file__).parents[3] / "api"))


@pytest.fixture(scope="session")
def tryton_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with start_tryton(tmp_path_factory.mktemp("tryton")) as server:
        print(
            f"\ntrytond: restored in {server.restore_seconds:.2f} s, "
            f"answering {server.startup_seconds:.2f} s later"
        )
        yield server


@pytest.fixture
def buyer(tryton_server: TrytonServer) -> Iterator[TrytonClient]:
    """A JSON-RPC session as the buyer (the admin user of the test database)."""
    client = TrytonClient(tryton_server.url, tryton_server.database)
    client.login(tryton_server.user, tryton_server.password)
    yield client
    client.logout()
