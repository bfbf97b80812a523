"""The alert worker (`supplyhub worker alerts`): a tracked subscriber of the log's
`ExceptionCase.Opened` events for `opened` rules, and on each round a look at the open cases
of the exception queue for `open_longer` and `sla_breached` rules. Each alert has a stable id
(rule, case, trigger) and a row in `alert_deliveries`: one sent or failed is never sent again;
one cut off by a crash (still `pending`) is sent again under the same id, which the receiver
sees in `Idempotency-Key` (or the e-mail's Message-ID).

It reads the log only up to the position the views hold, so the case's order (its plants) is
known when a rule names a plant."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from connectors.alerts.deliveries import Delivery, DeliveryStore, Outgoing
from connectors.alerts.rules import (
    Case,
    Rule,
    alert_id,
    due,
    in_scope,
    rules_in_force,
    with_plants,
)
from connectors.alerts.sending import Alert, Sender, Sent
from connectors.workers.loop import ResilientLoop, sleep_unless
from connectors.workers.positions import PositionStore
from domain.alert_rule import Trigger
from domain.application import SupplyHub

log = logging.getLogger(__name__)

NAME: Final = "alerts"
OPENED: Final = "supplyhub:ExceptionCase.Opened"
_SETTING: Final = {
    "webhook": "SUPPLYHUB_ALERTS_WEBHOOK_SECRET",
    "email": "SUPPLYHUB_ALERTS_SMTP_HOST",
}


class CaseReader(Protocol):
    """The exception queue, as the read side holds it (the composition root's)."""

    def position(self) -> int:
        """The log position the views reflect."""

    def open_cases(self) -> Sequence[Case]:
        """The open cases, their `plants` not read yet (the worker asks `plants` when due)."""

    def plants(self, case_key: str) -> tuple[str, ...]:
        """The ship-to plants of the order the case concerns; () if none is known."""


class AlertWorker:
    def __init__(
        self,
        hub: SupplyHub,
        positions: PositionStore,
        deliveries: DeliveryStore,
        senders: Mapping[str, Sender],
        cases: CaseReader,
        loop: ResilientLoop,
        clock: Callable[[], datetime],
        *,
        poll_seconds: float = 5.0,
        batch_size: int = 100,
    ) -> None:
        self.hub = hub
        self.positions = positions
        self.deliveries = deliveries
        self.senders = senders
        self.cases = cases
        self.loop = loop
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size

    async def run(self, stop: asyncio.Event) -> None:
        await self.loop.run(lambda: self._session(stop), stop)

    async def _session(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.step)
            self.loop.health.progress()
            await sleep_unless(stop, self.poll_seconds)

    def step(self) -> int:
        """One round: the cases opened since the position, then the open cases' ages; returns
        how many alerts were sent or failed."""
        done = sum(self._send(*cut_off) for cut_off in self.deliveries.pending())
        rules = rules_in_force(self.hub)
        while (found := self._follow(rules)) is not None:
            done += found
        return done + self._sweep(rules)

    def _follow(self, rules: Sequence[Rule]) -> int | None:
        """The next batch of Opened events the views hold; None when there is none."""
        after, held = self.positions.get(NAME), self.cases.position()
        if held <= after:
            return None
        batch = self.hub.recorder.select_notifications(
            after + 1, self.batch_size, stop=held, topics=(OPENED,)
        )
        done = 0
        for notification in batch:
            event: Any = self.hub.mapper.to_domain_event(notification)
            matching = [
                rule for rule in rules
                if rule.terms.trigger == Trigger.OPENED and rule.since < notification.id
            ]  # fmt: skip
            if matching:
                case = _case(event, self.cases.plants(event.key))
                done += sum(self._deliver(rule, case) for rule in matching if in_scope(rule, case))
            self.positions.set(NAME, notification.id)
        if len(batch) < self.batch_size:
            self.positions.set(NAME, held)  # nothing else opened up to what the views hold
        return done

    def _sweep(self, rules: Sequence[Rule]) -> int:
        timed = [rule for rule in rules if rule.terms.trigger != Trigger.OPENED]
        if not timed:
            return 0
        now, done = self.clock(), 0
        for case in self.cases.open_cases():
            due_now = [rule for rule in timed if due(rule, case, now)]
            if due_now:  # the order's plants are read only for a case some rule is due for
                case = with_plants(case, self.cases.plants(case.key))
                done += sum(self._deliver(rule, case) for rule in due_now if in_scope(rule, case))
        return done

    def _deliver(self, rule: Rule, case: Case) -> int:
        """Send the alert unless it was sent or failed before; 1 if it was tried now."""
        identity = alert_id(rule, case)
        if self.deliveries.status(identity) is not None:
            return 0  # sent, failed, or pending: then the start of a round sent it again
        now, terms = self.clock(), rule.terms
        delivery = Delivery(identity, rule.name, case.key, terms.trigger, terms.destination,
                            terms.target, "", 0, "", now.isoformat(), now.isoformat())  # fmt: skip
        outgoing = Alert(identity, rule, case, now).outgoing()
        self.deliveries.begin(delivery, outgoing)
        return self._send(delivery, outgoing)

    def _send(self, delivery: Delivery, outgoing: Outgoing) -> int:
        sender = self.senders.get(delivery.destination)
        if sender is None:
            missing = _SETTING[delivery.destination]
            sent = Sent("failed", 0, f"{delivery.destination} alerts are off: set {missing}")
        else:
            sent = sender.send(outgoing, delivery.target)
        self.deliveries.finish(delivery.alert_id, sent.status, sent.attempts, sent.detail,
                               self.clock().isoformat())  # fmt: skip
        log.info("alert %s (%s, %s): %s after %d tries: %s", delivery.alert_id, delivery.rule,
                 delivery.case_key, sent.status, sent.attempts, sent.detail)  # fmt: skip
        return 1


def _case(event: Any, plants: tuple[str, ...]) -> Case:
    return Case(
        key=event.key, category=event.category, document=event.document,
        supplier=event.supplier, plants=plants, owner_role=event.owner_role,
        reason=event.reason, opened_at=event.provenance.at, due_at=event.due_at,
    )  # fmt: skip
