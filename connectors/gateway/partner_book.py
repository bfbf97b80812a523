"""The partners' profiles as people change them: put, import, roll back, show, versions.

Everything a profile document must be is checked here, before any command: it is a JSON
object that `profile_from_json` reads (a refusal names the field), its ``partner`` is the one
addressed, and a cXML shared secret given in plain (``cxml.secret``) is replaced by its salted
hash (connectors/cxml/secret.py) so only the hash is ever stored. The hash is never shown:
`show` puts `REDACTED` in its place, and a document sent back with `REDACTED` keeps the
stored hash. The same secret again keeps the stored hash too, so the same document is the
same version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.cxml.secret import hash_secret, secret_matches
from connectors.gateway.profile import PartnerProfile, ProfileFormatError, profile_from_json
from domain.errors import NotFoundError, ValidationError
from domain.partner_register import Change, PartnerRegister, ProfileVersion
from domain.provenance import Channel, Provenance

REDACTED = "(redacted)"
_PARTNER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class CurrentProfile:
    partner: str
    supplier: str
    version: int
    document: dict[str, Any]  # redacted: no secret, no hash


@dataclass
class PartnerBook:
    register: PartnerRegister
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def put(self, partner: str, document: object, actor: str) -> Change:
        """Make ``document`` the partner's profile; the same document again writes nothing."""
        checked, profile = self.checked(partner, document)
        return self.register.put(partner, profile.supplier, checked, self._provenance(actor))

    def import_file(self, path: Path, actor: str) -> Change:
        """A profile from a JSON file (``partners import``); its ``partner`` names it."""
        document = read_json(path)
        partner = document.get("partner") if isinstance(document, dict) else None
        return self.put(str(partner or ""), document, actor)

    def roll_back(self, partner: str, to_version: int, actor: str) -> Change:
        return self.register.roll_back(partner, to_version, self._provenance(actor))

    def show(self, partner: str) -> CurrentProfile:
        found = self.register.trading_partner(partner)
        return CurrentProfile(partner, found.supplier, found.version, redacted(found.document))

    def versions(self, partner: str) -> list[ProfileVersion]:
        return self.register.versions(partner)

    def all(self) -> list[CurrentProfile]:
        return [
            CurrentProfile(each.partner, each.supplier, each.version, redacted(each.document))
            for each in self.register.all()
        ]

    def checked(self, partner: str, document: object) -> tuple[str, PartnerProfile]:
        """The document as it is stored (canonical JSON, secret hashed) and its profile; a
        `ValidationError` naming the field when it says no profile, or another partner's."""
        if not _PARTNER_ID.fullmatch(partner):
            raise ValidationError(
                "partner", "1 to 64 letters, digits, '-', '_' or '.', starting with one of the "
                "first two",
            )  # fmt: skip
        if not isinstance(document, Mapping):
            raise ValidationError("profile", "must be a JSON object (docs/edi.md)")
        data = dict(document)
        if str(data.get("partner", partner)) != partner:
            raise ValidationError(
                "partner", f"the profile says {data['partner']!r}, not {partner!r}"
            )
        data["partner"] = partner
        if isinstance(cxml := data.get("cxml"), Mapping):
            data["cxml"] = self._hashed(partner, dict(cxml))
        try:
            profile = profile_from_json(data)
        except ProfileFormatError as error:
            raise ValidationError(*_field_and_rule(str(error))) from None
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str), profile

    def _hashed(self, partner: str, cxml: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored_hash(partner)
        secret = cxml.pop("secret", None)
        if secret is not None:
            if not isinstance(secret, str) or not secret:
                raise ValidationError("cxml.secret", "must be a non-empty string")
            same = stored and secret_matches(secret, stored)
            cxml["secret_hash"] = stored if same else hash_secret(secret)
        elif cxml.get("secret_hash") == REDACTED:
            if not stored:
                raise ValidationError("cxml.secret", "the partner has no secret yet: give one")
            cxml["secret_hash"] = stored
        elif "secret_hash" not in cxml:
            raise ValidationError("cxml.secret", "give the shared secret (or its secret_hash)")
        return cxml

    def _stored_hash(self, partner: str) -> str:
        try:
            current = json.loads(self.register.trading_partner(partner).document)
        except NotFoundError:
            return ""
        return str((current.get("cxml") or {}).get("secret_hash", ""))

    def _provenance(self, actor: str) -> Provenance:
        at = self.clock()
        message = f"partners:{actor}:{at.isoformat()}"
        return Provenance(message, message, message, actor, Channel.SYSTEM, at)


def redacted(document: str) -> dict[str, Any]:
    """The stored document as anyone may see it: the cXML secret's hash replaced."""
    shown: dict[str, Any] = json.loads(document)
    if isinstance(shown.get("cxml"), dict) and "secret_hash" in shown["cxml"]:
        shown["cxml"] = {**shown["cxml"], "secret_hash": REDACTED}
    return shown


def read_json(path: Path) -> object:
    """A profile file's JSON; `ValidationError` naming the file when it is not JSON."""
    try:
        return json.loads(path.read_bytes())
    except ValueError as error:
        raise ValidationError(path.name, f"is not JSON: {error}") from None


def _field_and_rule(message: str) -> tuple[str, str]:
    """``edi.test: true or false`` -> (``edi.test``, ``true or false``); a message naming no
    field is about the profile as a whole."""
    head, sep, rest = message.partition(": ")
    if sep and " " not in head:
        return head, rest
    if message.startswith("the profile has no "):
        return message.removeprefix("the profile has no ").strip("'"), "is required"
    return "profile", message
