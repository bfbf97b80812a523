"""``POST /as2``: a partner's AS2 message in, its receipt (MDN) out.

The AS2-From header names the partner (the profile whose ``as2.their_id`` it is), AS2-To
must be the hub's id at that partner. pyas2lib decrypts and verifies the message as the
profile requires; the interchange inside then goes through the gateway as the body of
``POST /api/v1/edi`` does (the same message ids, so a resend is a replay). The MDN says
``processed`` only once the interchange was kept and applied (or parked, rejected in our
997 / CONTRL: the EDI layer answers that); a message that cannot be decrypted, whose
signature or MIC is wrong, or from a partner the hub does not know, gets a negative MDN
and nothing is applied. A fault of the hub's own raises: the route answers 5xx without an
MDN and the partner sends again. An MDN arriving here is the asynchronous receipt of a
message we sent.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

from connectors.as2.library import as2
from connectors.as2.parties import As2Identity, partner
from connectors.as2.receipts import As2Messages
from connectors.as2.sender import As2Sender, judge, raw_message
from connectors.gateway.inbound import EdiInbound
from connectors.gateway.profile import PartnerProfile

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LaterReceipt:
    """An asynchronous MDN, POSTed to the sender's Receipt-Delivery-Option after answering."""

    url: str
    headers: dict[str, str]
    body: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class As2Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    later: LaterReceipt | None = None
    disposition: str = ""  # what the MDN says ("processed", "processed/Error: ..."): tests


@dataclass(frozen=True, slots=True)
class _Original:
    """What pyas2lib's MDN check needs of a message we sent and no longer hold."""

    message_id: str
    mic: bytes
    receiver: Any


class As2Endpoint:
    def __init__(
        self,
        identity: As2Identity,
        partners: EdiInbound,
        apply: Callable[[str, bytes], object],
        sender: As2Sender,
        *,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.identity = identity
        self.partners = partners
        self.apply = apply  # (partner, interchange): kept, translated, applied or parked
        self.sender = sender
        self.timeout = timeout_seconds

    @property
    def messages(self) -> As2Messages:
        return self.sender.messages

    def receive(self, headers: Mapping[str, str], body: bytes) -> As2Reply:
        raw = raw_message(headers, body)
        if _is_receipt(raw):
            return self._receipt(raw)
        message = as2.Message()
        found: list[PartnerProfile] = []
        status, (error, _), mdn = message.parse(
            raw, find_org_partner_cb=lambda ours, theirs: self._parties(ours, theirs, found)
        )
        if error is None and found:
            payload = message.payload.get_payload(decode=True)
            self.apply(found[0].partner, bytes(payload or b""))
        else:
            log.error("as2: message %s refused: %s", message.message_id, error)
        return self._answer(mdn, str(status) if error is None else f"{status}: {error}")

    def _parties(self, ours: str, theirs: str, found: list[PartnerProfile]) -> tuple[Any, Any]:
        profile = next(
            (p for p in self.partners.profiles() if p.as2 and p.as2.their_id == theirs), None
        )
        if profile is None or profile.as2 is None:
            return None, None  # pyas2lib: "Unknown AS2 partner", a negative MDN
        if ours != (profile.as2.our_id or self.identity.as2_id):
            return None, partner(profile.as2)
        found.append(profile)
        return self.identity.organization(ours), partner(profile.as2)

    def _answer(self, mdn: Any, disposition: str) -> As2Reply:
        if mdn is None:
            return As2Reply(200, {}, b"", disposition=disposition)
        headers = {str(k): str(v) for k, v in mdn.headers.items()}
        if mdn.mdn_mode == "ASYNC" and mdn.mdn_url:
            later = LaterReceipt(str(mdn.mdn_url), headers, bytes(mdn.content))
            return As2Reply(200, {}, b"", later, disposition)
        return As2Reply(200, headers, bytes(mdn.content), disposition=disposition)

    def deliver(self, receipt: LaterReceipt) -> None:
        """POST an asynchronous MDN; a partner that does not take it is logged."""
        request = urllib.request.Request(
            receipt.url, data=receipt.body, method="POST", headers=receipt.headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except OSError as error:
            log.error("as2: the MDN to %s was not delivered: %s", receipt.url, error)

    def _receipt(self, raw: bytes) -> As2Reply:
        """The asynchronous MDN of a message we sent: its outcome recorded."""
        mdn = as2.Mdn()
        mdn.payload = message_from_bytes(raw)
        try:
            original_id, _ = mdn.detect_mdn()
        except (AttributeError, TypeError, IndexError):  # a report without its fields
            return As2Reply(400, {}, b"an MDN without an Original-Message-ID", disposition="")
        sent = self.messages.find(str(original_id))
        profile = self._profile(sent.partner) if sent else None
        if sent is None or profile is None or profile.as2 is None:
            log.error("as2: an MDN for %s, a message we did not send", original_id)
            return As2Reply(200, {}, b"", disposition="unknown original message")
        original = _Original(sent.message_id, sent.mic.encode(), partner(profile.as2))
        receipt = judge(raw, original)
        self.sender.settle(sent.message_id, sent.partner, receipt)
        return As2Reply(200, {}, b"", disposition=receipt.status)

    def _profile(self, partner_id: str) -> PartnerProfile | None:
        return next((p for p in self.partners.profiles() if p.partner == partner_id), None)


def _is_receipt(raw: bytes) -> bool:
    parsed = message_from_bytes(raw)
    if parsed.get_content_type() == "multipart/report":
        return True
    return parsed.get_content_type() == "multipart/signed" and any(
        part.get_content_type() == "multipart/report" for part in parsed.walk()
    )
