"""Workloads and snapshots for the read-side tests (a module of its own: test modules import
it by name, which a `conftest` cannot be, as every test folder may have one)."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from connectors.demo import Scenario
from domain.application import SupplyHub
from domain.commands import CommentOnException
from domain.errors import DomainError
from supplyhub.read_side import ReadSide


def run_steps(hub: SupplyHub, purchase_orders: int, seed: int) -> int:
    """The demo scenario for a seed; refused commands are part of a realistic workload. A
    buyer comments on every other case a step opens (comments are views of their own)."""
    count = 0
    for step in Scenario(seed).steps(purchase_orders):
        with contextlib.suppress(DomainError):
            outcome = hub.handle(step.command, step.provenance)
            for key in outcome.exceptions[::2]:
                said = replace(step.provenance, message_id=f"{step.provenance.message_id}:c",
                               actor="buyer:bea", tenant="")  # fmt: skip
                hub.handle(CommentOnException(key, f"looking into {key}\n<b>bea</b>"), said)
        count += 1
    return count


def snapshot(read_side: ReadSide) -> dict[str, list[tuple[str, str]]]:
    """Every row of every live view, in key order."""
    return {name: list(read_side.store.scan_all(name)) for name in read_side.names()}
