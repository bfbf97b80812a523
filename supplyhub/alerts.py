"""Alert routing composed from the settings: the worker (`supplyhub worker alerts`), the
queue it reads (the read side's exception view), the senders, and the desk the API and
`supplyhub alerts` read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from api.alerts import AlertRuleView, AlertView
from connectors.alerts.deliveries import DeliveryStore
from connectors.alerts.rules import Case, read_rules
from connectors.alerts.sending import EmailSender, Sender, SmtpSettings, WebhookSender
from connectors.alerts.worker import AlertWorker
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from projections.read_models import ExceptionView, ReadModels
from supplyhub.bootstrap import schema_lock
from supplyhub.read_side import open_read_side
from supplyhub.settings import SecretFileError, Settings
from supplyhub.workers import open_database, worker_loop


class AlertsNotConfiguredError(Exception):
    """A setting the alert worker needs is missing or unreadable: the operator's to fix."""


def _now() -> datetime:
    return datetime.now(UTC)


class QueueCases:
    """The exception queue as the alert worker reads it (`connectors.alerts.worker.CaseReader`)."""

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models

    def position(self) -> int:
        return self.read_models.position()

    def plants(self, case_key: str) -> tuple[str, ...]:
        order = self.read_models.case_purchase_order(case_key, None)
        return tuple(sorted({line.ship_to for line in order.lines})) if order else ()

    def open_cases(self) -> Sequence[Case]:
        return [_case(view) for view in self.read_models.exceptions(None, "open")]


def _case(view: ExceptionView) -> Case:
    return Case(view.key, view.category, view.document, view.supplier, (), view.owner_role,
                view.reason, view.opened_at, view.due_at)  # fmt: skip


def webhook_secret(settings: Settings) -> bytes | None:
    """The webhooks' signing key, from the setting or its file; None when neither is set."""
    try:
        secret = settings.secret("alerts_webhook_secret")
    except SecretFileError as error:
        raise AlertsNotConfiguredError(str(error)) from None
    if secret and len(secret) < 16:
        raise AlertsNotConfiguredError(
            "SUPPLYHUB_ALERTS_WEBHOOK_SECRET must have at least 16 characters"
        )
    return secret.encode() or None


def senders(settings: Settings) -> dict[str, Sender]:
    """Webhooks when their secret is set, e-mail when SMTP is: an alert to a destination
    that is not configured is recorded as failed, saying which setting is missing."""
    attempts = settings.alerts_max_attempts
    found: dict[str, Sender] = {}
    if (secret := webhook_secret(settings)) is not None:
        found["webhook"] = WebhookSender(
            secret, timeout_seconds=settings.alerts_webhook_timeout_seconds,
            max_attempts=attempts,
        )  # fmt: skip
    if settings.alerts_smtp_host:
        smtp = SmtpSettings(
            settings.alerts_smtp_host, settings.alerts_smtp_port, settings.alerts_smtp_from,
            settings.alerts_smtp_starttls, settings.alerts_smtp_user,
            settings.alerts_smtp_password.get_secret_value(),
        )  # fmt: skip
        found["email"] = EmailSender(smtp, max_attempts=attempts)
    return found


def delivery_store(settings: Settings) -> DeliveryStore:
    with schema_lock(settings):  # the store creates its table
        return DeliveryStore(open_database(settings))


def build_worker(settings: Settings, hub: SupplyHub, clock: Any = _now) -> AlertWorker:
    sending = senders(settings)
    read_side = open_read_side(settings, hub, listen=False)  # the views, read only here
    with schema_lock(settings):
        database = open_database(settings)
        positions, deliveries = PositionStore(database), DeliveryStore(database)
    return AlertWorker(
        hub, positions, deliveries, sending, QueueCases(read_side.read_models),
        worker_loop(settings, "alerts"), clock, poll_seconds=settings.alerts_poll_seconds,
    )  # fmt: skip


class StoredAlertDesk:
    """The API's `AlertDesk`: the rules folded from the log, the alerts from the worker's table."""

    def __init__(self, hub: SupplyHub, open_deliveries: Callable[[], DeliveryStore]) -> None:
        self.hub = hub
        self._open_deliveries = open_deliveries
        self._deliveries: DeliveryStore | None = None

    @classmethod
    def open(cls, settings: Settings, hub: SupplyHub) -> StoredAlertDesk:
        """The worker's table is opened (and created) on first use, not when the API starts:
        an API on a read-only store still starts and says so in /readyz."""
        return cls(hub, lambda: delivery_store(settings))

    @property
    def deliveries(self) -> DeliveryStore:
        if self._deliveries is None:
            self._deliveries = self._open_deliveries()
        return self._deliveries

    def rules(self) -> list[AlertRuleView]:
        return [
            AlertRuleView(rule.name, t.trigger, t.open_hours, t.category, t.supplier, t.plant,
                          t.destination, t.target, rule.changed_by, rule.changed_at.isoformat(),
                          rule.enabled, rule.reason)
            for rule in read_rules(self.hub)
            for t in (rule.terms,)
        ]  # fmt: skip

    def alerts(self, limit: int) -> list[AlertView]:
        return [AlertView(**vars(d)) for d in self.deliveries.recent(limit)]
