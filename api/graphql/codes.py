"""The portal's answer words (`LineAnswerInput.code`): the GraphQL edge translates them to the
canonical status before it builds the command, and keeps the word as the answer's source code."""

from __future__ import annotations

from domain.acknowledgement import AckCodes, AckStatus

PORTAL_CODES = AckCodes(
    "portal",
    {
        "ACCEPTED": AckStatus.ACCEPTED,
        "PARTIALLY ACCEPTED": AckStatus.ACCEPTED_WITH_CHANGES,
        "REJECTED": AckStatus.REJECTED,
        "PENDING": AckStatus.PENDING,
    },
)
