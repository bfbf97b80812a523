"""The session's mock-sap (sap_system.py), and a clean fault table for each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sap_system import MockSap, start_mock_sap

# The live-server helper of the API tests (tests/api/live_server.py) serves the hub here too.
sys.path.insert(0, str(Path(__file__).parents[3] / "api"))


@pytest.fixture(scope="session")
def mock_sap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockSap]:
    """One mock-sap for the whole session, basic authentication on."""
    with start_mock_sap(tmp_path_factory.mktemp("mock-sap") / "mock-sap.log") as sap:
        yield sap


@pytest.fixture
def sap(mock_sap: MockSap) -> Iterator[MockSap]:
    """The session's mock-sap, with no fault rule left behind by the test."""
    mock_sap.clear_faults()
    yield mock_sap
    mock_sap.clear_faults()
