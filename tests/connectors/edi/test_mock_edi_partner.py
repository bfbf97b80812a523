"""What the hub writes passes mock-edi's validator, and what mock-edi answers, we read.

mock-edi is a third-party simulator of a supplier's EDI system (PyPI ``mock-edi``), run as
a black box from a session fixture.  Where it departs from the standards the test says so and
checks both: that we follow the standard, and what the mock makes of it (docs/edi.md).
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from edi_orders import an_order
from edi_partner import MockEdi

from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.purchase_order import write_orders
from connectors.edi.edifact.reader import read_interchanges as read_edifact
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import ControlCountError
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope
from connectors.edi.x12.purchase_order import write_850
from connectors.edi.x12.reader import read_interchanges as read_x12

pytestmark = pytest.mark.mock_edi

_WHEN = datetime(2026, 12, 4, 10, 30)


def x12_envelope(sender: str, control: int, version: str = "004010") -> X12Envelope:
    # The mock refuses a replayed interchange control number: each test uses its own.
    return X12Envelope("ZZ", sender, "ZZ", "MOCKEDI", control, control, _WHEN, version=version)


def edifact_envelope(sender: str, reference: str) -> EdifactEnvelope:
    return EdifactEnvelope(sender, "ZZ", "MOCKEDI", "ZZ", reference, _WHEN)


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_our_850_passes_the_mocks_validator_in_both_versions(
    mock_edi: MockEdi, version: str
) -> None:
    data = write_850(an_order(), x12_envelope("ACME", 101, version), Delimiters())

    verdict = mock_edi.validate(data)

    assert verdict["clean"] is True, verdict["explain"]
    assert verdict["explain"] == ["850/0001: accepted"]


def test_our_850_with_a_partners_unusual_delimiters_passes_the_mocks_validator(
    mock_edi: MockEdi,
) -> None:
    delimiters = Delimiters("|", ":", "\x15", "!", "\r\n")
    data = write_850(an_order(), x12_envelope("ACME", 102, "005010"), delimiters)

    assert mock_edi.validate(data)["clean"] is True


@pytest.mark.parametrize("syntax", [Syntax(), Syntax(decimal=",", charset="UNOY", version="4")])
def test_our_d96a_orders_passes_the_mocks_validator(mock_edi: MockEdi, syntax: Syntax) -> None:
    data = write_orders(an_order(units="PCE"), edifact_envelope("EURODIS", "IC201"), syntax)

    verdict = mock_edi.validate(data)

    assert verdict["clean"] is True, verdict["explain"]
    assert verdict["explain"] == ["ORDERS/1: accepted"]


def test_our_d01b_orders_is_read_by_us_and_only_its_directory_is_news_to_the_mock(
    mock_edi: MockEdi,
) -> None:
    """Deviation: mock-edi has the D.96A dictionary only, and notes any other directory."""
    data = write_orders(
        an_order(units="PCE"), edifact_envelope("EURODIS", "IC202"), Syntax(), "D01B"
    )

    verdict = mock_edi.validate(data)
    (interchange,) = read_edifact([data])

    assert interchange.messages[0].version == "D:01B"
    assert verdict["messages"] == [
        {
            "code": "ORDERS",
            "control": "1",
            "kind": "order",
            "accepted": True,
            "findings": [
                "UNH@1: UNH02 names ORDERS:D:01B:UN, the dictionary defines ORDERS:D:96A:UN",
                "one or more segments in error",
            ],
        }
    ]


def test_a_recommendation_20_unit_the_mock_does_not_list_is_written_as_the_standard_allows(
    mock_edi: MockEdi,
) -> None:
    """Deviation: mock-edi accepts ten 6411 codes; UN/ECE Rec. 20 (which D.96A's 6411 uses)
    has EA, "each".  We write the unit the partner profile maps to; the mock only notes it."""
    data = write_orders(an_order(units="EA"), edifact_envelope("EURODIS", "IC203"), Syntax())

    verdict = mock_edi.validate(data)
    (interchange,) = read_edifact([data])

    assert interchange.messages[0].segments[7].composite(1) == ("21", "100", "EA")
    assert verdict["messages"][0]["accepted"] is True  # type: ignore[index]
    assert any("EA is not a code QTY01/6411" in finding for finding in verdict["explain"])  # type: ignore[attr-defined]


def test_a_plain_http_850_is_answered_with_a_997_and_an_855_that_we_read(
    mock_edi: MockEdi,
) -> None:
    data = write_850(an_order("PO-X12-1"), x12_envelope("ACME", 301, "005010"), Delimiters())

    summary = mock_edi.send(data)
    answers = list(read_x12([mock_edi.collect("ACME")]))

    sets = {each.code: each for answer in answers for group in answer.groups for each in group.sets}
    acknowledgment = sets["997"]
    assert summary["accepted"] is True
    assert [segment.values() for segment in acknowledgment.segments[1:4]] == [
        ["PO", "301"],
        ["850", "0001"],
        ["A"],
    ]
    assert sets["855"].segments[1].get(3) == "PO-X12-1"
    assert {answer.header.get(8).strip() for answer in answers} == {"ACME"}


def test_a_plain_http_orders_is_answered_with_contrl_and_the_whole_choreography(
    mock_edi: MockEdi,
) -> None:
    data = write_orders(
        an_order("PO-EDI-1", units="PCE"), edifact_envelope("EURODIS", "IC301"), Syntax()
    )

    mock_edi.send(data)
    answers = list(read_edifact([mock_edi.collect("EURODIS")]))

    messages = {message.type: message for answer in answers for message in answer.messages}
    assert sorted(messages) == ["CONTRL", "DESADV", "INVOIC", "ORDRSP"]
    assert messages["CONTRL"].segments[1].values()[0] == "IC301"  # UCI 0020: our interchange
    assert messages["CONTRL"].segments[1].get(4) == "7"  # acknowledged
    assert messages["ORDRSP"].segments[3].composite(1) == ("ON", "PO-EDI-1")


def test_a_corrupt_partners_miscounted_855_is_refused_by_our_reader(mock_edi: MockEdi) -> None:
    httpx.patch(
        f"{mock_edi.url}/_mock/partners/GLOBEX", json={"behaviour": "corrupt"}, timeout=10
    ).raise_for_status()
    data = write_850(an_order("PO-X12-2"), x12_envelope("GLOBEX", 401), Delimiters())

    mock_edi.send(data)
    answers = mock_edi.collect("GLOBEX")

    with pytest.raises(
        ControlCountError, match=r"X12 SE at segment \d+: SE01 is \d+ but the set has"
    ):
        list(read_x12([answers]))
