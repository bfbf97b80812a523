"""Fixtures for the NATS worker tests: a hub on the embedded store of the test's own folder,
unless a module names other `settings` (PostgreSQL, a restartable server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def hub(settings: Settings) -> Iterator[SupplyHub]:
    app = open_hub(settings)
    yield app
    app.close()
