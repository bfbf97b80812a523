"""The ERP vocabulary for a line's answer, as ERP connectors send it (NATS, the default
`Supplyhub-Channel: erp`): CONFIRMED, CHANGED, DECLINED, OPEN, matched case-insensitively."""

from __future__ import annotations

from domain.acknowledgement import AckCodes, AckStatus

ANSWER_CODES = AckCodes(
    "erp",
    {
        "CONFIRMED": AckStatus.ACCEPTED,
        "CHANGED": AckStatus.ACCEPTED_WITH_CHANGES,
        "DECLINED": AckStatus.REJECTED,
        "OPEN": AckStatus.PENDING,
    },
)
