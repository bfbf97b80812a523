"""The outbound 850: an order in 004010 or 005010, read back by our own reader."""

from __future__ import annotations

from datetime import datetime

import pytest
from edi_orders import an_order

from connectors.edi.errors import UnwritableValueError
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope
from connectors.edi.x12.purchase_order import write_850
from connectors.edi.x12.reader import read_interchanges


def envelope(version: str = "004010", control: int = 42) -> X12Envelope:
    return X12Envelope(
        "ZZ", "ACME", "ZZ", "MOCKEDI", control, 7, datetime(2026, 12, 4, 10, 30), version=version
    )


@pytest.mark.parametrize(
    ("version", "isa12", "isa11"), [("004010", "00401", "U"), ("005010", "00501", "^")]
)
def test_an_850_carries_the_order_in_the_version_asked_for(
    version: str, isa12: str, isa11: str
) -> None:
    data = write_850(an_order(), envelope(version), Delimiters(), control="0042")

    (interchange,) = read_interchanges([data])
    (group,) = interchange.groups
    (purchase_order,) = group.sets
    tags = [segment.tag for segment in purchase_order.segments]
    assert (interchange.header.get(12), interchange.header.get(11)) == (isa12, isa11)
    assert interchange.header.get(13) == "000000042"
    assert (group.header.get(1), group.header.get(8)) == ("PO", version)
    assert purchase_order.control == "0042"
    assert tags == ["ST", "BEG", "CUR", "N1", "N1", "PO1", "DTM", "PO1", "DTM", "CTT", "SE"]
    assert purchase_order.segments[1].values() == ["00", "SA", "PO-4711", "", "20261204"]
    assert purchase_order.segments[7].values() == ["2", "2.5", "EA", "8.9", "", "BP", "GEAR-100"]


def test_a_revised_order_is_sent_as_a_replacement() -> None:
    data = write_850(an_order(revision=2), envelope(), Delimiters())

    (interchange,) = read_interchanges([data])
    assert interchange.groups[0].sets[0].segments[1].get(1) == "05"


def test_the_partners_delimiters_and_line_breaks_are_used() -> None:
    data = write_850(an_order(), envelope(), Delimiters("|", ":", "\x15", None, "\r\n"))

    assert data.startswith(b"ISA|00|")
    assert b"\x15\r\nGS|PO|" in data
    (interchange,) = read_interchanges([data])
    assert interchange.delimiters == Delimiters("|", ":", "\x15", None)


def test_a_control_number_that_does_not_fit_isa13_is_refused() -> None:
    with pytest.raises(UnwritableValueError, match="ISA13 1000000000 does not fit 9 digits"):
        write_850(an_order(), envelope(control=10**9), Delimiters())
