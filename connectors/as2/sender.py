"""Our documents to an AS2 partner: signed and encrypted as its profile says, with the
receipt it owes checked (the MIC of what we sent, the disposition).

A receipt that says the partner could not process the message (a negative MDN, a MIC that
differs) is a technical failure: logged and kept for operations (`supplyhub edi as2`), not
sent again. A synchronous receipt that does not come, or a partner that is away (refused,
timed out, 5xx, 429), raises a `ConnectionError`, so the worker's loop tries the same
document again later.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.as2.library import as2
from connectors.as2.parties import MIC_ALGORITHM, As2Identity, partner
from connectors.as2.receipts import PROCESSED, As2Messages
from connectors.gateway.profile import MdnMode, PartnerProfile

log = logging.getLogger(__name__)


class As2UnavailableError(ConnectionError):
    """The partner is there but could not take the message, or owed a receipt it did not
    give: transient, tried again."""


@dataclass(frozen=True, slots=True)
class Receipt:
    status: str  # "processed" when all is well
    detail: str

    @property
    def positive(self) -> bool:
        return self.status == PROCESSED and not self.detail


def raw_message(headers: Mapping[str, str], body: bytes) -> bytes:
    """Headers and body as one MIME message, as pyas2lib parses them."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return lines.encode("utf-8") + b"\r\n" + body


def judge(raw: bytes, original: Any) -> Receipt:
    """What an MDN says of ``original`` (a pyas2lib Message, or what stands for one): its
    signature checked when one was asked for, and the MIC compared with ours."""
    status, detail = as2.Mdn().parse(raw, find_message_cb=lambda *_: original)
    return Receipt(str(status or "failed/Failure"), str(detail or ""))


def content_mic(document: bytes) -> bytes:
    """RFC 4130 7.3.1: the MIC of an unsigned message is the digest of its content."""
    return base64.b64encode(hashlib.new(MIC_ALGORITHM, document).digest())


class As2Sender:
    def __init__(
        self,
        identity: As2Identity,
        messages: As2Messages,
        *,
        timeout_seconds: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.identity = identity
        self.messages = messages
        self.timeout = timeout_seconds
        self.clock = clock

    def send(self, profile: PartnerProfile, document: bytes) -> tuple[int, bytes]:
        """POST ``document`` to the partner's AS2 URL; (HTTP status, b"") once it was taken
        (the answer is a receipt, never an interchange)."""
        terms = profile.as2
        if terms is None:
            raise ValueError(f"partner {profile.partner} has no AS2 terms")
        message = as2.Message(self.identity.organization(terms.our_id), partner(terms))
        edifact = document.lstrip().startswith((b"UNA", b"UNB"))
        options = {
            # An unsigned receipt is enough (we could not verify one), with a SHA-256 MIC.
            "disposition-notification-options": "signed-receipt-protocol=optional, "
            f"pkcs7-signature; signed-receipt-micalg=optional, {MIC_ALGORITHM}"
        }
        message.build(
            document,
            subject=f"EDI from {profile.ours.id}",
            content_type=f"application/{'edifact' if edifact else 'edi-x12'}",
            additional_headers={} if terms.sign or terms.mdn is MdnMode.NONE else options,
        )
        if not message.mic:
            message.mic = content_mic(document)
        self.messages.sent(message.message_id, profile.partner, message.mic.decode(), self.clock())
        status, headers, answer = self._post(terms.url, dict(message.headers), message.content)
        if status >= 400:
            self._failed(message.message_id, profile.partner, f"HTTP {status}", answer[:300])
            return status, answer
        if terms.mdn is MdnMode.SYNC:
            if not answer.strip():
                raise As2UnavailableError(f"{terms.url} gave no MDN for {message.message_id}")
            receipt = judge(raw_message(headers, answer), message)
            if receipt.detail == "mdn-not-found":
                raise As2UnavailableError(f"{terms.url} answered without an MDN")
            self.settle(message.message_id, profile.partner, receipt)
        return status, b""

    def settle(self, message_id: str, partner_id: str, receipt: Receipt) -> None:
        self.messages.settle(message_id, receipt.status, receipt.detail)
        if not receipt.positive:
            self._failed(message_id, partner_id, receipt.status, receipt.detail.encode())

    def _failed(self, message_id: str, partner_id: str, status: str, detail: bytes) -> None:
        text = detail.decode("utf-8", "replace")
        self.messages.settle(message_id, status, text)
        log.error("as2: message %s to %s failed: %s %s", message_id, partner_id, status, text)

    def _post(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return int(response.status), dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise As2UnavailableError(f"{url} answered {error.code}") from None
            return error.code, dict(error.headers.items()), bytes(error.read())
