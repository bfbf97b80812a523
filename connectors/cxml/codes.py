"""cXML status words the translators need: `ConfirmationStatus@type` on a line and
`ConfirmationHeader@type` on the whole order (cXML User's Guide, ConfirmationRequest:
accept, reject, detail, backordered, except, allDetail, unknown), matched case-insensitively."""

from __future__ import annotations

from domain.acknowledgement import AckCodes, AckStatus

CONFIRMATION_STATUS = AckCodes(
    "cxml",
    {
        "ACCEPT": AckStatus.ACCEPTED,
        "ALLDETAIL": AckStatus.ACCEPTED_WITH_CHANGES,
        "DETAIL": AckStatus.ACCEPTED_WITH_CHANGES,
        "BACKORDERED": AckStatus.ACCEPTED_WITH_CHANGES,
        "EXCEPT": AckStatus.ACCEPTED_WITH_CHANGES,
        "REJECT": AckStatus.REJECTED,
        "UNKNOWN": AckStatus.PENDING,
    },
)
