"""Supplier master data and tolerance policies."""

from __future__ import annotations

from domain import commands as c
from domain.outcome import Outcome
from domain.supplier import Supplier
from domain.tolerance import TolerancePolicy
from domain.use_cases.context import Context


def upsert_supplier(ctx: Context, cmd: c.UpsertSupplier) -> Outcome:
    existing = ctx.uow.find(Supplier, Supplier.create_id(cmd.supplier))
    document = f"supplier:{cmd.supplier}"
    args = (cmd.name, cmd.erp_id, cmd.channel_ids, cmd.status, ctx.provenance)
    if existing is None:
        ctx.uow.add(Supplier.register(cmd.supplier, *args))
        return Outcome("applied", document)
    return Outcome("applied" if existing.update(*args) else "unchanged", document)


def set_tolerance_policy(ctx: Context, cmd: c.SetTolerancePolicy) -> Outcome:
    policy = TolerancePolicy(cmd.quantity_pct, cmd.days_early, cmd.days_late, cmd.price_pct)
    ctx.supplier(cmd.supplier).set_tolerance(policy, ctx.provenance)
    return Outcome("applied", f"supplier:{cmd.supplier}")
