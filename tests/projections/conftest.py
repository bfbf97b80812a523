"""Fixtures for the read-side tests: the same tests on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import PostgresServer

from domain.application import SupplyHub
from domain.errors import DomainError
from supplyhub.bootstrap import open_hub
from supplyhub.demo import Scenario
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


def run_steps(hub: SupplyHub, purchase_orders: int, seed: int) -> int:
    """The demo scenario for a seed; refused commands are part of a realistic workload."""
    count = 0
    for step in Scenario(seed).steps(purchase_orders):
        with contextlib.suppress(DomainError):
            hub.handle(step.command, step.provenance)
        count += 1
    return count


def snapshot(read_side: ReadSide) -> dict[str, list[tuple[str, str]]]:
    """Every row of every live view, in key order."""
    return {name: list(read_side.store.scan_all(name)) for name in read_side.names()}
