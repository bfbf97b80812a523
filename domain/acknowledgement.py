"""One status model for supplier answers, whatever code the channel spoke: the canonical
statuses, and the shape of a channel's table of its own codes for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import get_args

from domain.errors import ValidationError
from domain.limits import Code


class AckStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    REJECTED = "rejected"
    PENDING = "pending"


# The limit every channel's code is held to (domain/limits.py): checked before a code is looked
# up, so a code that breaks it is refused in the limit's words, as any other field.
_CODE_LIMIT = get_args(Code)[1]


@dataclass(frozen=True)
class AckCodes:
    """One channel's words for the canonical statuses.

    The domain knows no channel's codes: each channel keeps its table where its edge is
    (connectors/<channel>/codes.py, the portal's in api/graphql/codes.py) and translates
    before it builds the command, which carries the status and the code it came as.
    """

    channel: str
    statuses: Mapping[str, AckStatus]

    def status(self, code: str, field: str) -> AckStatus:
        """The canonical status of `code`; unknown codes are refused naming `field`, not
        guessed."""
        broken = _CODE_LIMIT.broken(code)
        if broken is not None:
            raise ValidationError(field, broken)
        try:
            return self.statuses[code.strip().upper()]
        except KeyError:
            known = ", ".join(sorted(self.statuses))
            rule = f"unknown {self.channel} acknowledgement code {code!r} (known: {known})"
            raise ValidationError(field, rule) from None


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
