"""The demo's trading partners: a profile for each supplier that trades by EDI or cXML, so
`supplyhub partners list` shows them after `supplyhub demo` (connectors/demo.py's suppliers).
Seeding again writes nothing: the same documents are the same versions."""

from __future__ import annotations

from typing import Any

from connectors.gateway.partner_book import PartnerBook
from domain.partner_register import Change

_BUYER_X12 = {"qualifier": "ZZ", "id": "SUPPLYHUB"}
_BUYER_EDIFACT = {"qualifier": "ZZZ", "id": "SUPPLYHUB"}

DEMO_PARTNERS: tuple[dict[str, Any], ...] = (
    {
        "partner": "boreal", "supplier": "SUP-BOREAL", "dialect": "x12", "version": "005010",
        "ours": _BUYER_X12, "theirs": {"qualifier": "ZZ", "id": "BOREALCAST"},
        "units": {"EA": "EA", "CA": "CS"}, "currency": "EUR", "transit_days": 3,
        "edi": {"test": True, "ship_to": {"DOCK-PL01": "PLANT-PL01"}, "ack_within_minutes": 60},
    },
    {
        "partner": "delta", "supplier": "SUP-DELTA", "dialect": "edifact", "version": "D96A",
        "ours": _BUYER_EDIFACT, "theirs": {"qualifier": "ZZZ", "id": "DELTASEALS"},
        "units": {"PCE": "EA"}, "currency": "EUR", "transit_days": 4,
        "edi": {"test": True, "character_set": "UNOC", "ack_within_minutes": 120},
    },
    {
        "partner": "cypress", "supplier": "SUP-CYPRESS", "dialect": "cxml", "version": "1.2.045",
        "ours": {"qualifier": "NetworkID", "id": "AN-SUPPLYHUB"},
        "theirs": {"qualifier": "DUNS", "id": "CYPRESS-001"},
        "cxml": {
            "sender": {"domain": "NetworkID", "identity": "AN-CYPRESS"},
            "secret": "demo-shared-secret",  # stored hashed; a demo's, never a real one
            "endpoint": "", "order_updates": "update",
        },
    },
)  # fmt: skip


def seed_partners(book: PartnerBook, actor: str = "demo") -> list[Change]:
    return [book.put(each["partner"], each, actor) for each in DEMO_PARTNERS]
