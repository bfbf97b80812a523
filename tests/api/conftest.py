"""Fixtures of the browser tests: one Chromium per module, a page that may reach only the hub,
and where screenshots go; `live`, the demo served as `supplyhub serve` would, one hub per module
(a module that needs another hub defines its own `live`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Offline, launched, offline_page, screenshots_dir
from live_server import LiveHub, serving
from playwright.sync_api import Browser

from supplyhub.settings import Settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, never per session: Playwright's sync API keeps an event loop running in
    # this thread while it is open, and every later test calling asyncio.run() would fail.
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp(request.module.__name__), dev_mode=True)
    with serving(settings) as hub:
        yield hub


@pytest.fixture
def offline(browser: Browser, live: LiveHub) -> Iterator[Offline]:
    with offline_page(browser, live) as guarded:
        yield guarded


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_dir(tmp_path_factory)
