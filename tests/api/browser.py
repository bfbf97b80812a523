"""The system Chromium driven by Playwright, with every request that does not go to the hub
aborted and listed, and the tokens and GraphQL reads the console's tests share."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import LiveHub
from playwright.sync_api import Browser, Page, Route, sync_playwright

from api.auth import Role
from supplyhub.cli.api import auth_config

CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    """The system Chromium; CI (CI=true) installs it, so there a missing one is a failure."""
    found = next((path for name in CHROMIUMS if (path := shutil.which(name))), None)
    if found:
        return found
    reason = "no system Chromium (apt-get install -y chromium); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def launched() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


@dataclass
class Offline:
    """A page whose requests reach only the hub; the others are aborted and listed."""

    page: Page
    hub: LiveHub
    blocked: list[str] = field(default_factory=list)


@contextmanager
def offline_page(browser: Browser, hub: LiveHub) -> Iterator[Offline]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    guarded = Offline(page, hub)

    def only_the_hub(route: Route) -> None:
        if route.request.url.startswith(f"{hub.url}/"):
            route.continue_()
        else:
            guarded.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_hub)
    yield guarded
    context.close()


def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SUPPLYHUB_SCREENSHOTS=docs/screenshots keeps them for the docs; else a temporary one."""
    kept = os.environ.get("SUPPLYHUB_SCREENSHOTS")
    return Path(kept) if kept else tmp_path_factory.mktemp("screenshots")


def token(live: LiveHub, role: Role, subject: str = "browser-test", supplier: str = "") -> str:
    return auth_config(live.settings).issue(role, subject, supplier)


def bearer(live: LiveHub, role: Role) -> dict[str, str]:
    """Headers with a token for `role`: a supplier's is Acme's."""
    supplier = "SUP-ACME" if role is Role.SUPPLIER else ""
    return {"Authorization": f"Bearer {token(live, role, f'{role}-user', supplier)}"}


def ask(live: LiveHub, query: str, role: Role = Role.BUYER, **variables: Any) -> Any:
    """The hub's own answer over GraphQL (its `data`), as `role` asks it (a supplier's is
    Acme's); an error in the answer fails the test."""
    body = {"query": query, "variables": variables}
    response = httpx.post(f"{live.url}/graphql", json=body, headers=bearer(live, role))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]
