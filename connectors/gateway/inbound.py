"""An interchange a partner sends -> the commands to apply, each with its message id.

The message id is ``edi:<sender>:<interchange control>[:<group control>]:<set control>``
(``:<n>`` after it for the second and later commands of one set), so the same interchange
sent again is the same messages, which the hub answers with their first results. A document
that cannot be translated is a `ValidationError` naming the element and the rule, refused
whole: nothing of it is applied. Profiles come from the partner directory
(connectors/gateway/directory.py: the event-sourced profiles, current without a restart).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import Translation
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.profile import PartnerProfile
from domain.application import BatchItem, SupplyHub
from domain.commands import Command
from domain.errors import DomainError, ValidationError
from domain.outcome import Outcome
from domain.provenance import Channel, Provenance

log = logging.getLogger(__name__)


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


def batch_items(
    commands: Sequence[InboundCommand], partner: str, reference: str, at: datetime
) -> list[BatchItem]:
    """Each command with its provenance: the partner's connector, its channel, its message id
    (as correlation and causation too), and the payload it came in."""
    base = Provenance("", "", "", f"connector:{partner}", Channel.X12, at, reference)
    return [BatchItem(each.command, _of(base, each)) for each in commands]


def _of(base: Provenance, each: InboundCommand) -> Provenance:
    message = each.message_id
    return replace(base, message_id=message, correlation_id=message, causation_id=message,
                   channel=Channel(each.channel))  # fmt: skip


def apply_commands(
    hub: SupplyHub, partner: str, commands: Sequence[InboundCommand], reference: str,
    at: datetime,
) -> list[Outcome | DomainError]:  # fmt: skip
    """An interchange's commands applied one by one under their message ids (the same
    interchange again is a replay the hub answers with its first results); each refusal
    logged with the message it concerns."""
    results = hub.handle_one_by_one(batch_items(commands, partner, reference, at))
    for each, result in zip(commands, results, strict=True):
        if isinstance(result, DomainError):
            log.warning("edi: %s from %s: %s", each.message_id, partner, result)
    return results
