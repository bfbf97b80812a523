"""The API's port to alert routing: the rules in force and the alerts sent. The composition
root implements it on the alert worker's store and the log (supplyhub/alert_desk.py); the
API never touches them itself. Rules are changed through the hub (`DefineAlertRule`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AlertRuleView:
    name: str
    trigger: str  # opened | open_longer | sla_breached
    open_hours: int
    category: str  # "" for any
    supplier: str
    plant: str
    destination: str  # webhook | email
    target: str
    changed_by: str
    changed_at: str
    enabled: bool = True  # False: disabled, listed, sends nothing
    reason: str = ""  # why the last change was made


@dataclass(frozen=True)
class AlertView:
    """One alert: sent, failed (a 4xx, or every try used), or pending (being sent)."""

    alert_id: str
    rule: str
    case_key: str
    trigger: str
    destination: str
    target: str
    status: str
    attempts: int
    detail: str
    created_at: str
    updated_at: str


class AlertDesk(Protocol):
    def rules(self) -> list[AlertRuleView]: ...

    def alerts(self, limit: int) -> list[AlertView]:
        """The latest alerts, newest first."""


class NoAlerts:
    """An app without the alert worker's store (tests of the API alone)."""

    def rules(self) -> list[AlertRuleView]:
        return []

    def alerts(self, limit: int) -> list[AlertView]:
        return []
