"""Shared pytest fixtures: real PostgreSQL and NATS servers (see servers.py), and the marks
that sort every test into a tier.

A bare `pytest` runs the unit tier: offline, no server of any kind. A test needing a real
server is marked for it, here from the fixtures it uses (or explicitly, where it starts one
itself), and pyproject's addopts deselects those marks; `make test` selects every tier."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from servers import NatsServer, PostgresServer, start_nats, start_postgres

from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings

# The integration tiers and the fixtures that put a test in them (directly or through the
# fixtures it depends on). A test that starts a server itself carries the mark explicitly.
TIER_FIXTURES = {
    "postgres": {"postgres_server", "postgres_url", "postgres_database"},
    "nats": {"nats_server"},
    "browser": {"browser", "offline"},
    "server": {"live"},  # a real uvicorn serving the composed app (tests/api/live_server.py)
    "tryton": {"tryton_server"},  # tests/connectors/erp/tryton/conftest.py
    "mock_edi": {"mock_edi"},  # tests/connectors/edi/conftest.py
    "mock_sap": {"mock_sap"},  # tests/connectors/erp/sap/conftest.py
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for mark, fixtures in TIER_FIXTURES.items():
            if used & fixtures:
                item.add_marker(mark)
        callspec = getattr(item, "callspec", None)
        # `store_settings` asks for the server only when its parameter is postgres.
        if callspec is not None and callspec.params.get("store_settings") == "postgres":
            item.add_marker("postgres")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session; prefer ``postgres_url``."""
    with start_postgres(tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a fresh, empty database for this test only (never dropped: the
    whole cluster is deleted at session end, and dropping costs time)."""
    return postgres_server.create_database(f"test_{uuid.uuid4().hex}")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """One nats-server with JetStream for the whole session."""
    with start_nats(tmp_path_factory.mktemp("nats")) as server:
        yield server


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings for a fresh store, once per module and backend: tests in a module share it
    and keep apart by using their own document numbers."""
    data_dir = tmp_path_factory.mktemp("store")
    if request.param == "sqlite":
        return Settings(data_dir=data_dir)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database(f"hub_{uuid.uuid4().hex}")
    return Settings(data_dir=data_dir, database_url=url)


@pytest.fixture(scope="module")
def hub(store_settings: Settings) -> Iterator[SupplyHub]:
    app = open_hub(store_settings)
    yield app
    app.close()
