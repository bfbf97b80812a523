"""A revision or cancellation as a change document (860 / ORDCHG), for a partner whose
profile asks for changes (``edi.revisions: change``) rather than a replacement order."""

from __future__ import annotations

from datetime import datetime

from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.order_change import write_ordchg
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.order import OutboundOrder
from connectors.edi.order_change import OrderChange, line_changes
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope
from connectors.edi.x12.purchase_order_change import write_860
from connectors.gateway.profile import Dialect, PartnerProfile, Revisions

CHANGED_BY: tuple[str, ...] = ("Revised", "Cancelled")


def sends_changes(profile: PartnerProfile, kind: str) -> bool:
    """Whether the event ``kind`` goes to this partner as an 860 / ORDCHG."""
    wants = profile.edi is not None and profile.edi.revisions is Revisions.CHANGE
    return wants and kind in CHANGED_BY


def change_kind(profile: PartnerProfile) -> str:
    return "860" if profile.dialect is Dialect.X12 else "ORDCHG"


def write_change(before: OutboundOrder, after: OutboundOrder, profile: PartnerProfile,
                 control: int, at: datetime) -> bytes:  # fmt: skip
    """The whole interchange: the changed lines (none for a cancellation)."""
    lines = () if after.cancelled else line_changes(before, after)
    change = OrderChange(after, lines)
    if profile.dialect is Dialect.X12:
        envelope = X12Envelope(
            profile.ours.qualifier, profile.ours.id, profile.theirs.qualifier, profile.theirs.id,
            control, control, at, version=profile.version,
        )  # fmt: skip
        return write_860(change, envelope, Delimiters())
    edifact = EdifactEnvelope(
        profile.ours.id, profile.ours.qualifier, profile.theirs.id, profile.theirs.qualifier,
        str(control), at,
    )  # fmt: skip
    return write_ordchg(change, edifact, Syntax(), profile.version, reference="1")
