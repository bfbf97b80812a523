"""Alert rules: an admin defines, redefines, disables, enables and removes them; each change
is an event with who (the provenance) and why (`reason`)."""

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
        ctx.uow.add(AlertRule.define(cmd.name, terms, cmd.reason, ctx.provenance))
    else:
        rule.redefine(terms, cmd.reason, ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")


def _rule(ctx: Context, name: str) -> AlertRule:
    found: AlertRule = ctx.uow.get(AlertRule, AlertRule.create_id(name), "alert rule", name)
    return found


def remove_alert_rule(ctx: Context, cmd: c.RemoveAlertRule) -> Outcome:
    _rule(ctx, cmd.name).remove(cmd.reason, ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")


def disable_alert_rule(ctx: Context, cmd: c.DisableAlertRule) -> Outcome:
    _rule(ctx, cmd.name).disable(cmd.reason, ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")


def enable_alert_rule(ctx: Context, cmd: c.EnableAlertRule) -> Outcome:
    _rule(ctx, cmd.name).enable(cmd.reason, ctx.provenance)
    return Outcome("applied", f"alert-rule:{cmd.name}")
