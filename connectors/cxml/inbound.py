"""What ``POST /cxml`` calls: a partner's document -> its commands, each with its message id,
or the cXML answer refusing it.

The order of checks is the point: the size and safety of the XML, then the envelope, then the
Sender credential and shared secret against the partner's profile (found by the From
credential), and only then is the request read. The message id is ``cxml:<payloadID>``
(``:<n>`` after it for the second and later commands), so the same document again is answered
with its first results and writes nothing; in its supplier's namespace, so two suppliers'
payloadIDs never meet. Profiles are the partner directory's (connectors/gateway/directory.py),
those with a ``"cxml"`` part.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from connectors.cxml.envelope import Envelope, authenticate, read_envelope, require_allowed
from connectors.cxml.errors import CxmlError, NotAcceptableError, UnauthorizedError
from connectors.cxml.response import response_document, status_of
from connectors.cxml.safe_xml import MAX_DOCUMENT_BYTES, parse
from connectors.cxml.secret import VerifiedSecrets
from connectors.cxml.status_update import StatusUpdate, read_status_update
from connectors.cxml.translate import translate_envelope
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.profile import PartnerProfile
from domain.commands import Command
from domain.errors import DomainError
from domain.outcome import Outcome
from storage.payloads import Payloads, payload_ref

log = logging.getLogger(__name__)
STATUS_UPDATE = "StatusUpdateRequest"


@dataclass(frozen=True, slots=True)
class CxmlCommand:
    message_id: str
    command: Command


@dataclass(frozen=True, slots=True)
class CxmlAnswer:
    """The cXML Response to send: its status code (also the HTTP status) and document."""

    code: int
    document: bytes


class StatusRecorder(Protocol):
    """Where a supplier's StatusUpdateRequest is recorded (`CxmlOrders`, the OrderRequests)."""

    def status_updated(self, partner: str, payload: str, body: str, update: StatusUpdate,
                       at: datetime) -> tuple[int, str]: ...  # fmt: skip


@dataclass(frozen=True, slots=True)
class CxmlReceived:
    """A document from a partner whose credentials held: its commands to apply, or the answer
    when it was refused before any command, or answered without one (a StatusUpdateRequest):
    then ``commands`` is empty."""

    partner: str
    supplier: str
    commands: tuple[CxmlCommand, ...] = ()
    refused: CxmlAnswer | None = None


@dataclass(frozen=True)
class CxmlInbound:
    partners: PartnerDirectory
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    limit: int = MAX_DOCUMENT_BYTES
    # The gateway's raw payload archive: a known partner's documents, as they came.
    payloads: Payloads | None = None
    verified: VerifiedSecrets = field(default_factory=VerifiedSecrets)
    statuses: StatusRecorder | None = None  # StatusUpdateRequests: none without (406)

    def receive(self, document: bytes) -> CxmlReceived:
        try:
            envelope = read_envelope(parse(document, self.limit))
            profile = self.profile_of(envelope)
            authenticate(envelope, profile, self.verified)
            if self.payloads is not None:  # only once the sender is known: no stranger's disk
                self.payloads.put(document)
            if envelope.request is not None and envelope.request.tag == STATUS_UPDATE:
                answer = self._status_update(envelope, profile, document)
                return CxmlReceived(profile.partner, profile.supplier, refused=answer)
            translation = translate_envelope(envelope, profile)
        except CxmlError as refused:
            return CxmlReceived("", "", refused=self.answer_error(refused))
        except Exception:  # a fault of ours, never a partner's document: logged, answered 500
            log.exception("cXML document could not be received")
            return CxmlReceived("", "", refused=self.refusal(500, "the hub could not take it now"))
        commands = tuple(
            CxmlCommand(f"cxml:{translation.payload_id}" + (f":{n + 1}" if n else ""), command)
            for n, command in enumerate(translation.commands)
        )
        return CxmlReceived(profile.partner, profile.supplier, commands)

    def _status_update(
        self, envelope: Envelope, profile: PartnerProfile, document: bytes
    ) -> CxmlAnswer:
        request = require_allowed(envelope, profile)
        if self.statuses is None:
            raise NotAcceptableError(request.path, "this hub records no status updates")
        update = read_status_update(request)
        code, detail = self.statuses.status_updated(
            profile.partner, envelope.payload_id, payload_ref(document), update, self.clock()
        )
        return self.refusal(code, detail)

    def answer(self, results: Sequence[Outcome | DomainError]) -> CxmlAnswer:
        return self.refusal(*status_of(results))

    def answer_error(self, refused: CxmlError) -> CxmlAnswer:
        return self.refusal(refused.code, str(refused))

    def refusal(self, code: int, detail: str) -> CxmlAnswer:
        at = self.clock()
        payload_id = f"{at.timestamp():.0f}.{uuid.uuid4().hex}@supplyhub"
        return CxmlAnswer(code, response_document(code, detail, payload_id, at))

    def profile_of(self, envelope: Envelope) -> PartnerProfile:
        """The cXML partner whose profile names the document's From credential (401 when
        none does: an unknown sender learns nothing more)."""
        found = self.partners.for_credential(envelope.sender_of)
        if found is not None:
            return found
        raise UnauthorizedError("/cXML/Header/Sender/Credential", "not a known sender")
