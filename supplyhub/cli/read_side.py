"""CLI commands for the projections, audit and the projection worker (read-side engineer)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add this group's top-level commands."""


def register_workers(worker_subparsers: Any) -> None:
    """Add this group's `supplyhub worker NAME` long-running processes."""
