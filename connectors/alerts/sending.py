"""Sending one alert: its JSON, a webhook POST signed with HMAC-SHA256 (retried with backoff
and jitter on 5xx and timeouts, a 4xx failed at once), or an e-mail over SMTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Final, Protocol

from connectors.alerts.deliveries import FAILED, SENT, Outgoing
from connectors.alerts.rules import Case, Rule
from connectors.workers.loop import Backoff

log = logging.getLogger(__name__)

SIGNATURE: Final = "X-Supplyhub-Signature"  # sha256=<hex HMAC of "<timestamp>.<body>">
TIMESTAMP: Final = "X-Supplyhub-Timestamp"  # unix seconds; receivers refuse old ones
ALERT_ID: Final = "X-Supplyhub-Alert-Id"
_RETRIED_4XX: Final = (408, 429)  # timeout and too many requests: worth another try


@dataclass(frozen=True)
class Alert:
    alert_id: str
    rule: Rule
    case: Case
    at: datetime

    def outgoing(self) -> Outgoing:
        return Outgoing(self.alert_id, self.subject(), self.json())

    def json(self) -> bytes:
        case = self.case
        return json.dumps({
            "alert_id": self.alert_id, "rule": self.rule.name, "trigger": self.rule.terms.trigger,
            "at": self.at.isoformat(),
            "case": {
                "key": case.key, "category": case.category, "document": case.document,
                "supplier": case.supplier, "plants": list(case.plants),
                "owner_role": case.owner_role, "reason": case.reason,
                "opened_at": case.opened_at.isoformat(), "due_at": case.due_at.isoformat(),
            },
        }, sort_keys=True).encode()  # fmt: skip

    def subject(self) -> str:
        trigger = {"opened": "opened", "open_longer": f"open over {self.rule.terms.open_hours} h",
                   "sla_breached": "past its due time"}[self.rule.terms.trigger]  # fmt: skip
        return f"[Supply Hub] {self.case.category} {self.case.document} {trigger}"


@dataclass(frozen=True)
class Sent:
    status: str  # sent | failed
    attempts: int
    detail: str


class Sender(Protocol):
    def send(self, alert: Outgoing, target: str) -> Sent: ...


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """What the receiver recomputes: the timestamp is signed with the body, so an old
    delivery cannot be replayed under a new timestamp."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(
        self,
        secret: bytes,
        *,
        timeout_seconds: float = 5.0,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret  # never logged
        self.timeout_seconds = timeout_seconds
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff(0.5, 30.0)
        self.sleep = sleep
        self.clock = clock

    def send(self, alert: Outgoing, target: str) -> Sent:
        body = alert.body
        detail = ""
        for attempt in range(1, self.max_attempts + 1):
            status, detail = self._post(target, body, alert.alert_id)
            if 200 <= status < 300:
                return Sent(SENT, attempt, detail)
            if 400 <= status < 500 and status not in _RETRIED_4XX:
                return Sent(FAILED, attempt, detail)  # the receiver refuses it: not again
            log.warning("alert %s: webhook try %d: %s", alert.alert_id, attempt, detail)
            if attempt < self.max_attempts:
                self.sleep(self.backoff.delay(attempt))
        return Sent(FAILED, self.max_attempts, detail)

    def _post(self, url: str, body: bytes, alert_id: str) -> tuple[int, str]:
        """The HTTP status and what to record; 0 when no answer came (refused, timed out)."""
        timestamp = str(int(self.clock()))
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": alert_id, ALERT_ID: alert_id,
            TIMESTAMP: timestamp, SIGNATURE: signature(self._secret, timestamp, body),
            "User-Agent": "supplyhub-alerts",
        })  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as answer:
                return int(answer.status), f"HTTP {answer.status}"
        except urllib.error.HTTPError as error:
            return error.code, f"HTTP {error.code} {error.reason}"
        except (OSError, TimeoutError) as error:  # URLError, refused, reset, timed out
            reason: Any = getattr(error, "reason", error)
            return 0, f"{type(error).__name__}: {reason}"[:300]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "supplyhub@localhost"
    starttls: bool = False
    user: str = ""
    password: str = ""  # never logged
    timeout_seconds: float = 10.0


class EmailSender:
    def __init__(
        self,
        smtp: SmtpSettings,
        *,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.smtp = smtp
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff(0.5, 30.0)
        self.sleep = sleep

    def send(self, alert: Outgoing, target: str) -> Sent:
        message = EmailMessage()
        message["From"] = self.smtp.sender
        message["To"] = ", ".join(part.strip() for part in target.split(",") if part.strip())
        message["Subject"] = alert.subject
        message["Message-ID"] = f"<{alert.alert_id}@supplyhub>"  # the same id on a resend
        message.set_content(json.dumps(json.loads(alert.body), indent=2))
        detail = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                self._deliver(message)
                return Sent(SENT, attempt, f"accepted by {self.smtp.host}")
            except smtplib.SMTPResponseException as error:
                detail = f"SMTP {error.smtp_code} {error.smtp_error!r}"[:300]
                if error.smtp_code >= 500:  # a permanent refusal
                    return Sent(FAILED, attempt, detail)
            except smtplib.SMTPRecipientsRefused as error:
                return Sent(FAILED, attempt, f"recipients refused: {sorted(error.recipients)}")
            except (OSError, smtplib.SMTPException) as error:
                detail = f"{type(error).__name__}: {error}"[:300]
            log.warning("alert %s: e-mail try %d: %s", alert.alert_id, attempt, detail)
            if attempt < self.max_attempts:
                self.sleep(self.backoff.delay(attempt))
        return Sent(FAILED, self.max_attempts, detail)

    def _deliver(self, message: EmailMessage) -> None:
        smtp = self.smtp
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password)
            client.send_message(message)
