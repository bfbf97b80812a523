"""Imports point inward: the layout says the architecture, and this keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"domain", "projections", "api", "connectors", "supplyhub"}
# Which of our packages each package may import.
ALLOWED = {
    "domain": {"domain"},
    "projections": {"projections", "domain"},
    # The API needs no connector: its one edge that translates answer codes is the portal's,
    # whose table is its own (api/graphql/codes.py); REST takes no supplier answers.
    "api": {"api", "projections", "domain"},
    "connectors": {"connectors", "domain"},
}
# The domain is pure: the standard library, eventsourcing and orjson (fingerprints), and no
# I/O from any of them.
DOMAIN_FORBIDDEN = {
    "os", "sys", "socket", "subprocess", "sqlite3", "psycopg", "nats", "fastapi", "strawberry",
    "pydantic", "requests", "httpx", "time", "random", "asyncio", "threading",
}  # fmt: skip


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_inside_it(package: str) -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported_top_levels(path) & OURS
        if name not in ALLOWED[package]
    }

    assert not offenders, sorted(offenders)


def test_the_domain_does_no_io_and_reads_no_clock_or_environment() -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("domain")
        for name in imported_top_levels(path) & DOMAIN_FORBIDDEN
    }
    clock_reads = {
        f"{path.relative_to(ROOT)} calls {call}"
        for path in modules("domain")
        for call in ("datetime.now(", "date.today(", "datetime.utcnow(")
        if call in path.read_text()
    }

    assert not offenders | clock_reads, sorted(offenders | clock_reads)


def test_nothing_but_the_composition_root_imports_the_api() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("domain", "projections", "connectors")
        for path in modules(package)
        if "api" in imported_top_levels(path)
    ]

    assert not offenders


def test_a_channels_code_table_is_pure_data_over_the_canonical_statuses() -> None:
    tables = [*(ROOT / "connectors").rglob("codes.py"), ROOT / "api" / "graphql" / "codes.py"]
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in tables
        for name in imported_top_levels(path) - {"__future__", "domain"}
    }

    assert len(tables) >= 5
    assert not offenders, sorted(offenders)
