"""One status model for supplier answers, whatever code the channel spoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import ValidationError
from domain.provenance import Channel


class AckStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    REJECTED = "rejected"
    PENDING = "pending"


_A, _C, _R, _P = (
    AckStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_CHANGES,
    AckStatus.REJECTED,
    AckStatus.PENDING,
)

# Per channel: the channel's own line-status code -> canonical status.
# fmt: off
_CODES: dict[Channel, dict[str, AckStatus]] = {
    Channel.PORTAL: {"ACCEPTED": _A, "PARTIALLY ACCEPTED": _C, "REJECTED": _R, "PENDING": _P},
    Channel.ERP: {"CONFIRMED": _A, "CHANGED": _C, "DECLINED": _R, "OPEN": _P},
    # X12 855 ACK01 line item status codes.
    Channel.X12: {
        "IA": _A,
        "AC": _A,
        "IC": _C,
        "IP": _C,
        "IQ": _C,
        "DR": _C,
        "IB": _C,
        "IS": _C,
        "IF": _C,
        "IR": _R,
        "ID": _R,
        "R1": _R,
        "R2": _R,
        "R3": _R,
        "R4": _R,
        "IH": _P,
    },
    # EDIFACT ORDRSP: 1229 line action codes, with 1225 message functions at header level.
    Channel.EDIFACT: {"5": _A, "29": _A, "3": _C, "4": _C, "7": _R, "27": _R, "6": _P},
    # cXML ConfirmationStatus / ConfirmationHeader type.
    Channel.CXML: {
        "ACCEPT": _A,
        "ALLDETAIL": _C,
        "DETAIL": _C,
        "BACKORDERED": _C,
        "EXCEPT": _C,
        "REJECT": _R,
        "UNKNOWN": _P,
    },
}
# fmt: on


def normalise(channel: Channel, code: str) -> AckStatus:
    """The canonical status for a channel's code; unknown codes are refused, not guessed."""
    table = _CODES.get(channel, _CODES[Channel.PORTAL])
    try:
        return table[code.strip().upper()]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValidationError(
            "status_code", f"unknown {channel.value} acknowledgement code {code!r} (known: {known})"
        ) from None


@dataclass(frozen=True)
class LineResponse:
    """A supplier's answer for one line: the canonical status and the code it came as."""

    line_number: int
    status: AckStatus
    source_code: str
    confirmed_quantity: Decimal | None = None
    confirmed_date: date | None = None
    confirmed_price: Decimal | None = None
    note: str = ""
