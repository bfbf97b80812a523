"""Alert rules on the application service: each change says why, a disabled rule is kept, and
rules written before `reason` existed (version 1 events) still load."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import StoredEvent
from given import envelope, unique

from domain import commands as c
from domain.alert_rule import AlertRule
from domain.application import SupplyHub
from domain.errors import ConflictError

HOOK = "https://ops.example/hooks/hub"


def test_a_rule_written_before_reasons_loads_with_none_and_can_be_disabled(
    hub: SupplyHub,
) -> None:
    name = unique("rule")
    rule_id = AlertRule.create_id(name)
    terms = {"trigger": "opened", "destination": "webhook", "target": HOOK, "open_hours": 0,
             "category": "", "supplier": "", "plant": ""}  # fmt: skip
    version_one = [
        ("supplyhub:AlertRule.Defined", {"originator_topic": "supplyhub:AlertRule",
                                          "name": name, **terms}),
        ("supplyhub:AlertRule.Removed", {}),
    ]  # fmt: skip
    hub.recorder.insert_events([
        StoredEvent(rule_id, version, topic, hub.mapper.transcoder.encode(
            {"timestamp": envelope().at, "provenance": envelope(), **state}))
        for version, (topic, state) in enumerate(version_one, start=1)
    ])  # fmt: skip

    events = list(hub.repository.event_store.get(rule_id))
    hub.handle(c.DefineAlertRule(name, **terms, reason="back again"), envelope())
    hub.handle(c.DisableAlertRule(name, "too noisy"), envelope())
    loaded = hub.repository.get(rule_id)

    assert [event.reason for event in events] == ["", ""]
    assert (loaded.active, loaded.enabled) == (True, False)


def test_disabling_a_disabled_or_removed_rule_is_a_conflict(hub: SupplyHub) -> None:
    name = unique("rule")
    hub.handle(c.DefineAlertRule(name, "opened", "webhook", HOOK), envelope())
    hub.handle(c.DisableAlertRule(name, "paused"), envelope())

    with pytest.raises(ConflictError, match="already disabled"):
        hub.handle(c.DisableAlertRule(name, "again"), envelope())
    hub.handle(c.RemoveAlertRule(name, "gone"), envelope())
    with pytest.raises(ConflictError, match="already removed"):
        hub.handle(c.EnableAlertRule(name, "back"), envelope())
