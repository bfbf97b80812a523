"""The alert rules as they stand, folded from their events in the log (a handful: read whole,
no view table), and which case a rule matches, and when."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from domain.alert_rule import AlertTerms, Trigger
from domain.application import SupplyHub

RULE_TOPICS: Final = (
    "supplyhub:AlertRule.Defined",
    "supplyhub:AlertRule.Redefined",
    "supplyhub:AlertRule.Removed",
    "supplyhub:AlertRule.Disabled",
    "supplyhub:AlertRule.Enabled",
)
_READ_AT_ONCE: Final = 10_000


@dataclass(frozen=True)
class Rule:
    name: str
    terms: AlertTerms
    changed_by: str  # the actor of the last change
    changed_at: datetime
    since: int  # the log position of the last change: an `opened` rule fires for later cases
    enabled: bool = True  # a disabled rule is listed, and sends nothing
    reason: str = ""  # why the last change was made


@dataclass(frozen=True)
class Case:
    """What an alert says about an exception case (from its Opened event or the queue)."""

    key: str
    category: str
    document: str
    supplier: str
    plants: tuple[str, ...]  # the ship-to plants of the order it concerns; () if none known
    owner_role: str
    reason: str
    opened_at: datetime
    due_at: datetime


def fold(events: Iterable[tuple[int, Any]]) -> tuple[Rule, ...]:
    """The rules in force after these events (with their log positions, oldest first)."""
    rules: dict[str, Rule] = {}
    names: dict[Any, str] = {}
    for position, event in events:
        who, at, why = event.provenance.actor, event.provenance.at, event.reason
        kind = event.TOPIC.rpartition(".")[2]
        name = names.setdefault(event.originator_id, getattr(event, "name", ""))
        if kind == "Removed":
            rules.pop(name, None)
        elif kind in ("Disabled", "Enabled") and name in rules:
            rules[name] = replace(rules[name], changed_by=who, changed_at=at, since=position,
                                  enabled=kind == "Enabled", reason=why)  # fmt: skip
        elif kind in ("Defined", "Redefined"):
            terms = AlertTerms(event.trigger, event.destination, event.target, event.open_hours,
                               event.category, event.supplier, event.plant)  # fmt: skip
            enabled = rules[name].enabled if name in rules else True
            rules[name] = Rule(name, terms, who, at, position, enabled, why)
    return tuple(sorted(rules.values(), key=lambda rule: rule.name))


def rules_in_force(hub: SupplyHub) -> tuple[Rule, ...]:
    """The rules that send: defined, not removed, not disabled."""
    return tuple(rule for rule in read_rules(hub) if rule.enabled)


def read_rules(hub: SupplyHub) -> tuple[Rule, ...]:
    events: list[tuple[int, Any]] = []
    after = 0
    while batch := hub.recorder.select_notifications(after + 1, _READ_AT_ONCE, topics=RULE_TOPICS):
        events += [(n.id, hub.mapper.to_domain_event(n)) for n in batch]
        after = batch[-1].id
    return fold(events)


def in_scope(rule: Rule, case: Case) -> bool:
    terms = rule.terms
    return (
        terms.category in ("", case.category)
        and terms.supplier in ("", case.supplier)
        and (not terms.plant or terms.plant in case.plants)
    )


def due(rule: Rule, case: Case, now: datetime) -> bool:
    """An age or SLA rule's moment has come for this (open) case."""
    if rule.terms.trigger == Trigger.OPEN_LONGER:
        return now - case.opened_at > timedelta(hours=rule.terms.open_hours)
    return rule.terms.trigger == Trigger.SLA_BREACHED and now > case.due_at


def alert_id(rule: Rule, case: Case) -> str:
    """Stable per rule, case and trigger: the same alert is never sent twice."""
    key = f"{rule.name}\n{case.key}\n{rule.terms.trigger}".encode()
    return "alert-" + hashlib.sha256(key).hexdigest()[:32]


def with_plants(case: Case, plants: tuple[str, ...]) -> Case:
    return replace(case, plants=plants)
