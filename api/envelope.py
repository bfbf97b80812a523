"""The envelope of a write: provenance built from the request, and the outcome as JSON."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.auth import Principal, Role
from domain.errors import ValidationError
from domain.outcome import Outcome
from domain.provenance import Channel, Provenance

Clock = Callable[[], datetime]
MAX_KEY_LENGTH = 200


def require_key(key: str | None, field: str) -> str:
    """Every write names its idempotency key, so a retry can never apply twice."""
    if key is None or not key.strip():
        raise ValidationError(field, "is required: a unique key per message, reused on retry")
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_KEY_LENGTH} characters")
    return key


@dataclass(frozen=True)
class Envelope:
    """What the edge knows about one request, before the command is parsed."""

    principal: Principal
    channel: Channel
    at: datetime
    correlation_id: str
    payload_ref: str

    @classmethod
    def of(
        cls, principal: Principal, channel: Channel, clock: Clock, correlation: str | None,
        raw: bytes,
    ) -> Envelope:  # fmt: skip
        return cls(
            principal=principal,
            channel=channel,
            at=clock(),
            correlation_id=(correlation or "").strip()[:MAX_KEY_LENGTH] or str(uuid.uuid4()),
            payload_ref=f"sha256:{hashlib.sha256(raw).hexdigest()}",
        )

    def provenance(self, message_id: str) -> Provenance:
        return Provenance(
            message_id=message_id,
            correlation_id=self.correlation_id,
            causation_id=message_id,
            actor=self.principal.actor,
            channel=self.channel,
            at=self.at,
            payload_ref=self.payload_ref,
            # The domain hides other suppliers' documents from a tenant (NotFoundError).
            tenant=self.principal.supplier if self.principal.role is Role.SUPPLIER else "",
        )


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "document": outcome.document,
        "revision": outcome.revision,
        "exceptions": list(outcome.exceptions),
        "detail": outcome.detail,
        "replayed": outcome.replayed,
    }
