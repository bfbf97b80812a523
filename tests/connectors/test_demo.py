"""The demo's suppliers speak their channels' codes as those channels' tables read them."""

from __future__ import annotations

from api.graphql.codes import PORTAL_CODES
from connectors.cxml.codes import CONFIRMATION_STATUS
from connectors.demo import SAYS
from connectors.edi.edifact.codes import LINE_ACTION
from connectors.edi.x12.codes import LINE_ITEM_STATUS
from domain.provenance import Channel

TABLES = {
    Channel.PORTAL: PORTAL_CODES,
    Channel.X12: LINE_ITEM_STATUS,
    Channel.EDIFACT: LINE_ACTION,
    Channel.CXML: CONFIRMATION_STATUS,
}


def test_every_code_the_demo_sends_means_the_status_it_carries() -> None:
    read = {
        (status, channel): TABLES[channel].status(code, "code")
        for status, codes in SAYS.items()
        for channel, code in codes.items()
    }

    assert all(meant is status for (status, _), meant in read.items())
    assert {channel for _, channel in read} == set(TABLES)
