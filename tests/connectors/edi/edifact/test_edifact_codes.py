"""EDIFACT 1229 (a line's action) and 1225 (the message's function) are two tables, each as
the UN/EDIFACT code list says."""

from __future__ import annotations

import pytest

from connectors.edi.edifact.codes import LINE_ACTION, MESSAGE_FUNCTION
from domain.acknowledgement import AckStatus
from domain.errors import ValidationError


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("5", AckStatus.ACCEPTED),  # accepted without amendment
        ("6", AckStatus.ACCEPTED_WITH_CHANGES),  # accepted with amendment (was "pending")
        ("3", AckStatus.ACCEPTED_WITH_CHANGES),  # changed
        ("7", AckStatus.REJECTED),  # not accepted
        ("4", AckStatus.PENDING),  # no action: not answered by this message (was "changes")
    ],
)
def test_a_line_action_means_what_1229_says(code: str, status: AckStatus) -> None:
    assert LINE_ACTION.status(code, "LIN 1229") is status


@pytest.mark.parametrize("code", ["27", "29"])
def test_a_message_function_code_is_no_line_action(code: str) -> None:
    with pytest.raises(ValidationError, match=f"unknown edifact acknowledgement code '{code}'"):
        LINE_ACTION.status(code, "LIN 1229")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("29", AckStatus.ACCEPTED),  # accepted without amendment
        ("27", AckStatus.REJECTED),  # not accepted
        ("4", AckStatus.ACCEPTED_WITH_CHANGES),  # change
        ("28", AckStatus.ACCEPTED_WITH_CHANGES),  # accepted, amendment in heading section
        ("30", AckStatus.ACCEPTED_WITH_CHANGES),  # accepted, amendment in detail section
        ("34", AckStatus.ACCEPTED_WITH_CHANGES),  # accepted with amendment
        ("12", AckStatus.PENDING),  # not processed
    ],
)
def test_a_message_function_means_what_1225_says(code: str, status: AckStatus) -> None:
    assert MESSAGE_FUNCTION.status(code, "BGM 1225") is status


def test_a_line_action_is_no_message_function() -> None:
    with pytest.raises(ValidationError, match="unknown edifact message function"):
        MESSAGE_FUNCTION.status("5", "BGM 1225")
