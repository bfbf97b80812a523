"""The outbound ORDERS: an order in D.96A or D.01B, read back by our own reader."""

from __future__ import annotations

from datetime import datetime

import pytest
from edi_orders import an_order

from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.purchase_order import write_orders
from connectors.edi.edifact.reader import read_interchanges
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import UnwritableValueError


def envelope(reference: str = "IC42") -> EdifactEnvelope:
    return EdifactEnvelope(
        "ACME", "ZZ", "MOCKEDI", "ZZ", reference, datetime(2026, 12, 4, 10, 30), test=True
    )


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_an_orders_carries_the_order_in_the_directory_asked_for(directory: str) -> None:
    data = write_orders(an_order(units="PCE"), envelope(), Syntax(), directory, reference="M1")

    (interchange,) = read_interchanges([data])
    (message,) = interchange.messages
    tags = [segment.tag for segment in message.segments]
    assert interchange.reference == "IC42"
    assert interchange.header.get(11) == "1"  # test indicator
    assert (message.type, message.version, message.reference) == (
        "ORDERS",
        directory[0] + ":" + directory[1:],
        "M1",
    )
    assert tags == [
        "UNH",
        "BGM",
        "DTM",
        "NAD",
        "NAD",
        "CUX",
        *["LIN", "QTY", "DTM", "PRI"] * 2,
        "UNS",
        "CNT",
        "UNT",
    ]
    assert message.segments[1].values() == ["220", "PO-4711", "9"]
    assert message.segments[11].composite(1) == ("21", "2.5", "PCE")


def test_a_decimal_comma_partner_gets_decimal_commas() -> None:
    data = write_orders(an_order(units="PCE"), envelope(), Syntax(decimal=","))

    assert data.startswith(b"UNA:+,? '")
    assert b"QTY+21:2,5:PCE'" in data
    assert b"PRI+AAA:8,9'" in data


def test_a_revised_order_replaces_the_original() -> None:
    data = write_orders(an_order(revision=1), envelope(), Syntax())

    (interchange,) = read_interchanges([data])
    assert interchange.messages[0].segments[1].get(3) == "5"


def test_the_partners_character_set_and_syntax_version_are_declared() -> None:
    data = write_orders(an_order(), envelope(), Syntax(charset="UNOY", version="4"))

    assert b"UNB+UNOY:4+ACME:ZZ+MOCKEDI:ZZ+20261204:1030+IC42" in data


def test_a_reference_longer_than_the_standard_allows_is_refused() -> None:
    with pytest.raises(
        UnwritableValueError, match="UNB 0020 '18446744073709551616' is not 1 to 14"
    ):
        write_orders(an_order(), envelope("18446744073709551616"), Syntax())
