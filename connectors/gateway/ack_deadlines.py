"""The unacknowledged-order alert: an order document we sent that has no functional ack
(997 / CONTRL) after the partner profile's ``ack_within_minutes`` opens an
``unacknowledged_order`` case for the buyer, once (the case's key is kept with the document,
so a late ack resolves it: receiving.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from connectors.gateway.functional_acks import Expected, FunctionalAcks
from connectors.gateway.profile import PartnerProfile
from domain.application import SupplyHub
from domain.commands import RecordFunctionalAckProblem
from domain.errors import DomainError
from domain.provenance import Channel, Provenance

log = logging.getLogger(__name__)


def overdue_command(expected: Expected, within: int) -> tuple[str, RecordFunctionalAckProblem]:
    """The message id and command that open the overdue case of ``expected``, once."""
    message = f"edi-ack-overdue:{expected.partner}:{expected.control}"
    detail = f"sent {expected.sent_at.isoformat()}, expected within {within} minutes"
    return message, RecordFunctionalAckProblem(expected.po_number, expected.document, "overdue",
                                               detail)  # fmt: skip


def open_overdue_cases(hub: SupplyHub, acks: FunctionalAcks, profiles: Sequence[PartnerProfile],
                       now: datetime) -> None:  # fmt: skip
    by_partner = {each.partner: each for each in profiles}

    def within(partner: str) -> int | None:
        profile = by_partner.get(partner)
        return profile.ack_within_minutes if profile is not None else None

    for each in acks.overdue(now, within):
        profile = by_partner[each.partner]
        message, command = overdue_command(each, profile.ack_within_minutes)
        channel = Channel(profile.dialect.value)
        actor = f"connector:{each.partner}"
        try:
            outcome = hub.handle(command, Provenance(message, message, message, actor, channel,
                                                     now, ""))  # fmt: skip
        except DomainError as error:  # the PO is gone: said once, not retried every step
            log.error("edi: %s of %s unacknowledged: %s", each.document, each.partner, error)
            acks.flagged(each.partner, each.control, "-")
            continue
        acks.flagged(each.partner, each.control, outcome.exceptions[0])
