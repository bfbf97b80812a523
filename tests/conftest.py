"""Shared pytest fixtures: real PostgreSQL and NATS servers (see servers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from servers import NatsServer, PostgresServer, start_nats, start_postgres


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
