"""Shared pytest fixtures: real PostgreSQL and NATS servers (see servers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from servers import NatsServer, PostgresServer, start_nats, start_postgres

from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings


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
