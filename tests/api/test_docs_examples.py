"""Every example in README.md and docs/api.md runs as written against the demo (`supplyhub demo`):
the GraphQL blocks answer data without errors, and no shell block uses a variable it never set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from connectors.demo import run_scenario
from supplyhub.bootstrap import open_hub
from supplyhub.cli.api import auth_config, build_app
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "README.md", ROOT / "docs" / "api.md", ROOT / "docs" / "operations.md",
    ROOT / "docs" / "console.md",
]  # fmt: skip
GRAPHQL_DOCS = DOCS[:2]
# The console's examples are a buyer's (it works exception cases); they run in order.
CONSOLE_DOC = ROOT / "docs" / "console.md"
# What a union result answers when the command did not do what the example shows.
REFUSALS = {"StaleRevision", "InvalidInput", "NotFound", "Conflict", "Forbidden"}
SET_BY_THE_SHELL = {"PWD", "HOME", "PATH", "USER"}


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), re.S)


def graphql_examples() -> list[Any]:
    return [
        pytest.param(text, path == CONSOLE_DOC, id=f"{path.name}-{n}")
        for path in [*GRAPHQL_DOCS, CONSOLE_DOC]
        for n, text in enumerate(blocks(path, "graphql"))
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Settings]]:
    """The demo scenario as `supplyhub demo` seeds it, read models caught up."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("docs-demo"), dev_mode=True)
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub, listen=False)
    run_scenario(hub, 36)
    read_side.runner.catch_up()
    with TestClient(build_app(settings, hub, read_side.read_models)) as client:
        yield client, settings
    read_side.close()
    hub.close()


def documented_supplier() -> str:
    """The supplier whose token docs/api.md tells the reader to create for GraphQL."""
    found = re.search(r"--role supplier --supplier (\S+?)\)", (ROOT / "docs/api.md").read_text())
    assert found, "docs/api.md no longer creates a supplier token"
    return found.group(1)


def test_the_docs_show_graphql_examples() -> None:
    assert all(blocks(path, "graphql") for path in GRAPHQL_DOCS)


@pytest.mark.parametrize(("query", "as_buyer"), graphql_examples())
def test_each_documented_graphql_example_answers_data_on_the_demo(
    demo: tuple[TestClient, Settings], query: str, as_buyer: bool
) -> None:
    client, settings = demo
    config = auth_config(settings)
    token = (
        config.issue(Role.BUYER, "docs")
        if as_buyer
        else config.issue(Role.SUPPLIER, "docs", documented_supplier())
    )
    response = client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    for field, value in answer["data"].items():
        assert value, f"{field} answered nothing: {answer}"
        assert value.get("items", [None]), f"{field} has no items on the demo: {answer}"
        assert value.get("__typename") not in REFUSALS, f"{field} was refused: {answer}"


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_shell_variable_a_doc_uses_is_set_earlier_in_that_doc(path: Path) -> None:
    assigned = set(SET_BY_THE_SHELL)
    unset: list[str] = []
    for block in blocks(path, "sh"):
        for line in block.splitlines():
            code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
            used = re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", code)
            unset += [name for name in used if name not in assigned]
            assigned |= set(re.findall(r"(?:^|\s|export\s+)([A-Z_][A-Z0-9_]*)=", code))
    assert unset == []
