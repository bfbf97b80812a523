"""Our CONTRL for an EDIFACT interchange we could read: each message accepted (UCM 7), or,
where the translator refused it, rejected with the ISO 9735 error code and the segment's
position in the message (UCM 4, UCS)."""

from __future__ import annotations

from datetime import datetime

from edifact_samples import interchange

from connectors.edi.edifact.reader import read_interchanges, read_messages
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_message
from connectors.gateway.acknowledgements import acknowledgement
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress

PROFILE = PartnerProfile(
    "eurodis", "SUP-EU", Dialect.EDIFACT, "D96A",
    PartyAddress("ZZ", "US"), PartyAddress("ZZ", "BUYERHUB"),
)  # fmt: skip
GOOD = ["UNH+1+ORDRSP:D:96A:UN", "BGM+231+R-1+29", "RFF+ON:PO-77", "LIN+1+5", "UNT+5+1"]
# 1229 27 is a message-function code, not a line action: refused at LIN, the 4th segment.
BAD = ["UNH+2+ORDRSP:D:96A:UN", "BGM+231+R-2+29", "RFF+ON:PO-78", "LIN+1+27", "UNT+5+2"]
CONTRL = ["UNH+3+CONTRL:D:3:UN", "UCI+77+BUYERHUB:ZZ+US:ZZ+7", "UNT+3+3"]


def ours(*messages: list[str]) -> bytes | None:
    text = interchange(*messages)
    (read,) = read_interchanges([text])
    refused: dict[int, EdiSyntaxError] = {}
    for message in read_messages([text]):
        try:
            translate_message(message, PROFILE)
        except EdiSyntaxError as error:
            refused[message.position] = error
    return acknowledgement(read, refused, PROFILE, 12, datetime(2026, 12, 5, 9, 30))


def test_a_message_the_translator_refuses_is_rejected_by_position_and_the_other_accepted() -> None:
    ack = ours(GOOD, BAD)

    assert ack is not None
    assert b"UNB+UNOC:3+US:ZZ+BUYERHUB:ZZ+261205:0930+12'" in ack  # our next number
    assert b"UCI+IC1+BUYERHUB:ZZ+SUPPLIER:ZZ+7'" in ack
    assert b"UCM+1+ORDRSP:D:96A:UN+7'UCM+2+ORDRSP:D:96A:UN+4+12'UCS+4'UCD+12+2'" in ack


def test_every_message_refused_rejects_the_interchange_in_uci() -> None:
    ack = ours(BAD)

    assert ack is not None
    assert b"UCI+IC1+BUYERHUB:ZZ+SUPPLIER:ZZ+4'" in ack


def test_a_partners_contrl_is_never_acknowledged() -> None:
    assert ours(CONTRL) is None
