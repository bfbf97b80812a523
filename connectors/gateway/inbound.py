"""An interchange a partner sends -> the commands to apply, each with its message id.

The message id is ``edi:<sender>:<interchange control>:<set control>`` (``:<n>`` after it for
the second and later commands of one set), so the same interchange sent again is the same
messages, which the hub answers with their first results. A document that cannot be
translated is a `ValidationError` naming the element and the rule, refused whole: nothing of
it is applied. Profiles come from the partner directory (connectors/gateway/directory.py:
the event-sourced profiles, current without a restart).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import Translation
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.profile import PartnerProfile
from domain.commands import Command
from domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class InboundCommand:
    message_id: str
    channel: str  # "x12" or "edifact": the provenance's channel
    command: Command


@dataclass(frozen=True)
class EdiInbound:
    """What ``POST /api/v1/edi`` calls: the partner is the connector token's subject."""

    partners: PartnerDirectory

    def __call__(self, partner: str, interchange: bytes) -> list[InboundCommand]:
        try:
            return self.translate(self.profile(partner), interchange)
        except EdiSyntaxError as error:
            raise ValidationError(error.element or "interchange", str(error)) from None

    def translate(self, profile: PartnerProfile, interchange: bytes) -> list[InboundCommand]:
        """The commands, each with its message id; an `EdiSyntaxError` if it cannot be read."""
        translations = list(translate_file([interchange], profile))
        return [each for translation in translations for each in self.commands_of(translation)]

    @staticmethod
    def commands_of(translation: Translation) -> list[InboundCommand]:
        """A set's commands, each with its message id."""
        channel = translation.standard.lower()
        base = translation.message_id
        return [
            InboundCommand(base + (f":{index + 1}" if index else ""), channel, command)
            for index, command in enumerate(translation.commands)
        ]

    def profiles(self) -> list[PartnerProfile]:
        """Every partner's profile, in the order of their ids."""
        return self.partners.profiles()

    def for_supplier(self, supplier: str) -> PartnerProfile | None:
        """The partner that speaks for ``supplier``; None when it trades without EDI."""
        return self.partners.for_supplier(supplier)

    def profile(self, partner: str) -> PartnerProfile:
        return self.partners.profile(partner)
