"""Fixtures for the read-side tests: the same tests on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import PostgresServer

from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings


@pytest.fixture(scope="module")
def postgres_database(postgres_server: PostgresServer) -> str:
    """One database per test module; each test gets its own schema in it."""
    url: str = postgres_server.create_database(f"readside_{uuid.uuid4().hex[:12]}")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path)
    url = request.getfixturevalue("postgres_database")
    return Settings(database_url=url, database_schema=f"s_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def hub(settings: Settings) -> Iterator[SupplyHub]:
    app = open_hub(settings)
    yield app
    app.close()


@pytest.fixture
def read_side(settings: Settings, hub: SupplyHub) -> Iterator[ReadSide]:
    opened = open_read_side(settings, hub)
    yield opened
    opened.close()
