"""X12 668 (855 ACK01) as the standard's code list says, not as an earlier table guessed."""

from __future__ import annotations

import pytest

from connectors.edi.x12.codes import LINE_ITEM_STATUS
from domain.acknowledgement import AckStatus
from domain.errors import ValidationError


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("IF", AckStatus.PENDING),  # Item on Hold, Incomplete Description (was "with changes")
        ("IW", AckStatus.PENDING),  # Item on Hold-Waiver Required
        ("AR", AckStatus.ACCEPTED),  # Item Accepted and Released for Shipment
        ("BP", AckStatus.ACCEPTED_WITH_CHANGES),  # Partial Shipment, Balance Backordered
        ("R5", AckStatus.REJECTED),  # Item Rejected, Reorder Item as a JIT Order
        ("R6", AckStatus.REJECTED),  # ... as an Extended Delivery Order
        ("R7", AckStatus.REJECTED),  # ... as a Drop Shipment
        ("R8", AckStatus.REJECTED),  # ... as a Surge Order
    ],
)
def test_a_line_item_status_code_means_what_x12_668_says(code: str, status: AckStatus) -> None:
    assert LINE_ITEM_STATUS.status(code, "ACK01") is status


@pytest.mark.parametrize("code", ["AA", "IE", "SP"])
def test_a_code_that_does_not_say_whether_the_line_stands_is_refused_not_guessed(
    code: str,
) -> None:
    with pytest.raises(ValidationError, match=f"unknown x12 acknowledgement code '{code}'"):
        LINE_ITEM_STATUS.status(code, "ACK01")
