"""Alert rules: an admin defines, redefines and removes them; each change is an event with who."""

from __future__ import annotations

from domain import commands as c
from domain.alert_rule import AlertRule, AlertTerms
from domain.outcome import Outcome
from domain.use_cases.context import Context


def define_alert_rule(ctx: Context, cmd: c.DefineAlertRule) -> Outcome:
    terms = AlertTerms(cmd.trigger, cmd.destination, cmd.target, cmd.open_hours, cmd.category,
                       cmd.supplier, cmd.plant)  # fmt: skip
    rule = ctx.uow.find(AlertRule, AlertRule.create_id(cmd.name))
    if rule is None:
        ctx.uow.add(AlertRule.define(cmd.name, terms, ctx.provenance))
    else:
        rule.redefine(terms, ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")


def remove_alert_rule(ctx: Context, cmd: c.RemoveAlertRule) -> Outcome:
    rule = ctx.uow.get(AlertRule, AlertRule.create_id(cmd.name), "alert rule", cmd.name)
    rule.remove(ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")
