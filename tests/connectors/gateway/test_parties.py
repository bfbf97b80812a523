"""Who a kept payload is from and to, from its first bytes: what the payload index notes."""

from __future__ import annotations

from interchanges import CXML, EDIFACT, X12

from connectors.gateway.parties import payload_parties


def test_an_x12_edifact_or_cxml_payload_names_its_sender_and_receiver() -> None:
    assert payload_parties(X12) == ("BOREALCAST", "SUPPLYHUB")
    assert payload_parties(EDIFACT) == ("DELTASEALS", "SUPPLYHUB")
    assert payload_parties(CXML) == ("CYPRESS-001", "AN-SUPPLYHUB")


def test_a_payload_that_is_no_interchange_names_nobody() -> None:
    assert payload_parties(b'{"purchase_order": "4500000001"}') is None
    assert payload_parties(b"<cXML><Header><From></From></Header></cXML>") is None
    assert payload_parties(b"ISA*00") is None
