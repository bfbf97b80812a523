"""Each channel's answer codes, in the table at its edge, map to the one status model."""

from __future__ import annotations

import pytest

from api.graphql.codes import PORTAL_CODES
from connectors.cxml.codes import CONFIRMATION_STATUS
from connectors.edi.edifact.codes import LINE_ACTION
from connectors.edi.x12.codes import LINE_ITEM_STATUS
from connectors.erp.codes import ANSWER_CODES
from domain.acknowledgement import AckCodes, AckStatus
from domain.errors import ValidationError


@pytest.mark.parametrize(
    ("table", "code", "status"),
    [
        (PORTAL_CODES, "Partially Accepted", AckStatus.ACCEPTED_WITH_CHANGES),
        (ANSWER_CODES, "Declined", AckStatus.REJECTED),
        (LINE_ITEM_STATUS, "ia", AckStatus.ACCEPTED),
        (LINE_ITEM_STATUS, "DR", AckStatus.ACCEPTED_WITH_CHANGES),
        (LINE_ACTION, "7", AckStatus.REJECTED),
        (CONFIRMATION_STATUS, "backordered", AckStatus.ACCEPTED_WITH_CHANGES),
    ],
)
def test_every_channel_code_maps_to_one_status_model(
    table: AckCodes, code: str, status: AckStatus
) -> None:
    assert table.status(code, "lines[0].code") is status


def test_an_unknown_channel_code_is_refused_not_guessed() -> None:
    with pytest.raises(ValidationError, match="unknown x12 acknowledgement code 'ZZ'"):
        LINE_ITEM_STATUS.status("ZZ", "lines[0].code")


def test_an_unknown_code_is_refused_naming_the_field_and_listing_the_known_codes() -> None:
    with pytest.raises(ValidationError) as refused:
        PORTAL_CODES.status("Maybe", "lines[2].code")

    assert (refused.value.field, refused.value.rule) == (
        "lines[2].code",
        "unknown portal acknowledgement code 'Maybe' "
        "(known: ACCEPTED, PARTIALLY ACCEPTED, PENDING, REJECTED)",
    )


def test_a_code_too_long_or_with_control_characters_is_refused_in_the_limits_words() -> None:
    with pytest.raises(ValidationError) as too_long:
        ANSWER_CODES.status("C" * 36, "lines[0].code")
    with pytest.raises(ValidationError) as control:
        ANSWER_CODES.status("\tCONFIRMED", "lines[1].code")

    assert (too_long.value.field, too_long.value.rule) == (
        "lines[0].code", "must be at most 35 characters"
    )  # fmt: skip
    assert (control.value.field, control.value.rule) == (
        "lines[1].code", "must not contain control characters"
    )  # fmt: skip
