"""mock-edi, the third-party trading partner the EDI tests trade with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from edi_partner import MockEdi, start_mock_edi
from edi_trading import Hub, trading_hub


@pytest.fixture(scope="session")
def mock_edi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockEdi]:
    """One mock-edi partner for the whole session."""
    with start_mock_edi(tmp_path_factory.mktemp("mock-edi") / "mock-edi.log") as partner:
        yield partner


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub composed over a temporary data directory, with the EDI worker beside it."""
    with trading_hub(tmp_path) as composed:
        yield composed
