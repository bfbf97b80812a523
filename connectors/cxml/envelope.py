"""The cXML envelope: payloadID, the From / To / Sender credentials and the one request it
carries, read before any request is translated, so a sender is checked first."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from connectors.cxml.errors import CxmlError, NotAcceptableError, UnauthorizedError
from connectors.cxml.node import Node
from connectors.cxml.secret import VerifiedSecrets, secret_matches
from connectors.gateway.profile import PartnerProfile, PartyAddress

MAX_PAYLOAD_ID = 250


@dataclass(frozen=True, slots=True)
class Envelope:
    payload_id: str
    sender_of: PartyAddress  # From: the party the document is from
    to: PartyAddress
    sender: PartyAddress  # Sender: who authenticates (the supplier, or its network)
    secret: str = field(repr=False)
    request: Node | None  # None for a Response or Message document


def read_envelope(root: Element) -> Envelope:
    cxml = Node.root(root)
    if cxml.tag != "cXML":
        raise CxmlError(cxml.path, "the document element must be cXML")
    payload_id = cxml.required("payloadID")
    if len(payload_id) > MAX_PAYLOAD_ID:
        raise cxml.fail(f"must be at most {MAX_PAYLOAD_ID} characters", "payloadID")
    header = cxml.child("Header")
    sender = header.child("Sender").child("Credential")
    secret_node = sender.optional("SharedSecret")
    request = cxml.optional("Request")
    return Envelope(
        payload_id,
        _credential(header.child("From")),
        _credential(header.child("To")),
        _address(sender),
        secret_node.text() if secret_node is not None else "",
        _only_child(request) if request is not None else None,
    )


def authenticate(
    envelope: Envelope, profile: PartnerProfile, verified: VerifiedSecrets | None = None
) -> None:
    """The Sender credential and shared secret against the profile: 401 when either differs.
    The refusal never says which, nor repeats the secret. ``verified``: the secrets already
    checked, to spare the hash's cost on a partner's every document."""
    terms = profile.cxml
    if terms is None or envelope.sender != terms.sender:
        raise UnauthorizedError("/cXML/Header/Sender/Credential", "not a known sender")
    matches = verified.matches if verified is not None else secret_matches
    if not envelope.secret or not matches(envelope.secret, terms.secret_hash):
        raise UnauthorizedError("/cXML/Header/Sender/Credential", "not a known sender")


def require_allowed(envelope: Envelope, profile: PartnerProfile) -> Node:
    """The request, when the partner may send it (406 when not)."""
    request = envelope.request
    if request is None:
        raise CxmlError("/cXML/Request", "is required here and missing")
    allowed = profile.cxml.requests if profile.cxml is not None else ()
    if allowed and request.tag not in allowed:
        raise NotAcceptableError(request.path, f"{request.tag} is not one this partner may send")
    return request


def _credential(party: Node) -> PartyAddress:
    return _address(party.child("Credential"))


def _address(credential: Node) -> PartyAddress:
    return PartyAddress(credential.required("domain"), credential.child("Identity").text())


def _only_child(request: Node) -> Node:
    children = list(request.element)
    if not children:
        raise CxmlError(request.path, "carries no request")
    tag = str(children[0].tag)
    return Node(children[0], f"{request.path}/{tag}")
