"""One entry for a partner's cXML document: parse safely, read the envelope, translate the
request it carries into the hub's canonical commands. Pure: bytes and a profile in, commands
out, or a `CxmlError` naming the element's path and the rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from connectors.cxml.confirmation import translate_confirmation
from connectors.cxml.envelope import Envelope, read_envelope, require_allowed
from connectors.cxml.errors import CxmlError, NotAcceptableError
from connectors.cxml.invoice import translate_invoice
from connectors.cxml.node import Node
from connectors.cxml.safe_xml import parse
from connectors.cxml.ship_notice import translate_ship_notice
from connectors.gateway.profile import Dialect, PartnerProfile
from connectors.gateway.translators import translator_for
from domain.commands import Command

_TRANSLATORS: dict[str, Callable[[Node, PartnerProfile, str], tuple[Command, ...]]] = {
    "ConfirmationRequest": translate_confirmation,
    "ShipNoticeRequest": lambda request, profile, _: translate_ship_notice(request, profile),
    "InvoiceDetailRequest": lambda request, profile, _: translate_invoice(request, profile),
}
REQUESTS = tuple(_TRANSLATORS)


@dataclass(frozen=True, slots=True)
class CxmlTranslation:
    payload_id: str
    request: str  # ConfirmationRequest, ...
    commands: tuple[Command, ...]


def translate(document: bytes, profile: PartnerProfile | None = None) -> CxmlTranslation:
    """What ``document`` asks of the hub; without a profile, the one its envelope implies
    (its From credential is the partner and supplier, no mapping tables)."""
    envelope = read_envelope(parse(document))
    return translate_envelope(envelope, profile or implied_profile(envelope))


def translate_envelope(envelope: Envelope, profile: PartnerProfile) -> CxmlTranslation:
    request = require_allowed(envelope, profile)

    def refusal(known: str) -> NotAcceptableError:
        return NotAcceptableError(request.path, f"the hub takes {known}; not {request.tag}")

    translator = translator_for(_TRANSLATORS, request.tag, refusal)
    commands = translator(request, profile, envelope.payload_id)
    return CxmlTranslation(envelope.payload_id, request.tag, commands)


def implied_profile(envelope: Envelope) -> PartnerProfile:
    return PartnerProfile.from_document(Dialect.CXML, "", envelope.sender_of, envelope.to)


__all__ = ["CxmlError", "CxmlTranslation", "translate", "translate_envelope"]
