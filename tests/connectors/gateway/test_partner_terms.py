"""A profile's EDI terms: the test indicator, delimiters and character set our 850 / ORDERS
are written with, the ship-to location table (an unknown code named, never guessed) and when
the partner's 997 / CONTRL is due; each wrong value refused naming its field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.edi.order import OrderLine, OutboundOrder
from connectors.gateway.outbound import write_document
from connectors.gateway.profile import (
    DEFAULT_ACK_WITHIN_MINUTES,
    ProfileFormatError,
    UnknownMappingError,
    profile_from_json,
)

BASE: dict[str, Any] = {
    "partner": "boreal", "supplier": "SUP-BOREAL", "dialect": "x12", "version": "005010",
    "ours": {"qualifier": "ZZ", "id": "HUB"}, "theirs": {"qualifier": "ZZ", "id": "BOREAL"},
}  # fmt: skip
ORDER = OutboundOrder(
    "PO-1", 0, date(2026, 12, 4), "HUB", "BOREAL",
    (OrderLine(1, "ITEM-1", Decimal("10"), "EA", Decimal("2.5"), date(2026, 12, 20)),),
)  # fmt: skip
AT = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def test_a_test_partner_gets_isa15_t_with_its_own_delimiters() -> None:
    terms = {"test": True, "delimiters": {"element": "|", "segment": "\n", "component": "^",
                                          "repetition": "~"}}  # fmt: skip
    profile = profile_from_json({**BASE, "edi": terms})

    written = write_document(ORDER, profile, 7, AT).decode()

    isa = written.split("\n")[0].split("|")
    assert isa[15] == "T"
    assert isa[11] == "~" and isa[16] == "^"
    assert "\nBEG|00|SA|PO-1" in written


def test_a_partner_without_terms_is_written_in_production_with_the_standard_delimiters() -> None:
    profile = profile_from_json(BASE)

    written = write_document(ORDER, profile, 7, AT).decode()

    assert written.startswith("ISA*") and written.split("~")[0].split("*")[15] == "P"
    assert profile.ack_within_minutes == DEFAULT_ACK_WITHIN_MINUTES


def test_an_edifact_test_partner_gets_unb_0035_1_in_its_character_set() -> None:
    profile = profile_from_json({**BASE, "dialect": "edifact", "version": "D96A",
                                 "edi": {"test": True, "character_set": "UNOA"}})  # fmt: skip

    written = write_document(ORDER, profile, 7, AT).decode()

    unb = next(each for each in written.split("'") if each.startswith("UNB"))
    assert unb.startswith("UNB+UNOA:3+") and unb.endswith("+1")


def test_a_ship_to_code_maps_both_ways_and_an_unknown_one_names_the_table() -> None:
    profile = profile_from_json({**BASE, "edi": {"ship_to": {"DOCK-7": "PLANT-1"}}})

    assert profile.location("DOCK-7") == "PLANT-1"
    assert profile.ship_to_code("PLANT-1") == "DOCK-7"
    with pytest.raises(UnknownMappingError) as unknown:
        profile.location("DOCK-9")
    assert (unknown.value.table, unknown.value.value) == ("ship_to", "DOCK-9")


def test_the_ack_expectation_is_read_from_the_profile() -> None:
    profile = profile_from_json({**BASE, "edi": {"ack_within_minutes": 15}})

    assert profile.ack_within_minutes == 15


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"test": "yes"}, "edi.test"),
        ({"delimiters": {"element": "A"}}, "edi.delimiters.element"),
        ({"delimiters": {"colon": ":"}}, "edi.delimiters.colon"),
        ({"delimiters": {"element": "|", "segment": "|"}}, "edi.delimiters"),
        ({"character_set": "UNOZ"}, "edi.character_set"),
        ({"ack_within_minutes": 0}, "edi.ack_within_minutes"),
        ({"ship_to": ["DOCK-7"]}, "edi.ship_to"),
        ({"as2_url": "x"}, "edi.as2_url"),
    ],
)
def test_a_wrong_term_is_refused_naming_its_field(terms: dict[str, Any], field: str) -> None:
    with pytest.raises(ProfileFormatError) as refused:
        profile_from_json({**BASE, "edi": terms})

    assert str(refused.value).startswith(field)
