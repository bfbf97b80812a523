"""A streamed file's functional ack is written from its envelopes alone: for the same
interchange it must be, byte for byte, the ack written from the whole interchange read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from edifact.edifact_samples import interchange as edifact_interchange
from edifact.edifact_samples import orders_message
from x12.x12_samples import interchange as x12_interchange
from x12.x12_samples import purchase_order_set

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.edifact.interchange import Message
from connectors.edi.errors import TranslationError
from connectors.edi.x12 import reader as x12_reader
from connectors.edi.x12.interchange import TransactionSet
from connectors.gateway.acknowledgements import acknowledgement
from connectors.gateway.envelopes import Envelopes
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress

AT = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)
US, THEM = PartyAddress("ZZ", "SUPPLIER"), PartyAddress("ZZ", "BUYERHUB")


def x12_two_groups() -> bytes:
    first = x12_interchange(purchase_order_set("0001"), purchase_order_set("0002")).split("\n")
    second = ["GS*PO*BUYERHUB*SUPPLIER*20261204*1031*8*X*004010~",
              *(s + "~" for s in purchase_order_set("0001")), "GE*1*8~"]  # fmt: skip
    return "\n".join([*first[:-2], *second, "IEA*2*000000101~", ""]).encode()


def edifact_with_groups() -> bytes:
    plain = edifact_interchange(orders_message("1"), orders_message("2")).split("'\n")
    unb, messages, _unz = plain[1], plain[2:-2], plain[-2]
    ung = "UNG+ORDERS+BUYERHUB:ZZ+SUPPLIER:ZZ+261204:1030+G1+UN+D:96A"
    segments = [unb, ung, *messages, "UNE+2+G1", "UNZ+1+IC1"]
    return (plain[0] + "'\n" + "'\n".join(segments) + "'\n").encode()


@pytest.mark.parametrize(
    ("dialect", "body"),
    [
        (Dialect.X12, x12_two_groups()),
        (Dialect.EDIFACT, edifact_interchange(orders_message("1"), orders_message("2")).encode()),
        (Dialect.EDIFACT, edifact_with_groups()),
    ],
    ids=["x12-two-groups", "edifact-messages", "edifact-ung-group"],
)
def test_the_ack_from_the_envelopes_is_the_ack_from_the_whole_interchange(
    dialect: Dialect, body: bytes
) -> None:
    profile = PartnerProfile("p", "SUPPLIER", dialect, "004010", US, THEM)
    envelopes = Envelopes()
    if dialect is Dialect.X12:
        (whole,) = x12_reader.read_interchanges([body])
        for each in x12_reader.read_sets([body]):
            envelopes.seen(each)
    else:
        (whole,) = edifact_reader.read_interchanges([body])
        for message in edifact_reader.read_messages([body]):
            envelopes.seen(message)

    ((key, skeleton),) = envelopes.interchanges()

    assert key in ("BUYERHUB:000000101", "BUYERHUB:IC1")
    assert acknowledgement(skeleton, {}, profile, 5, AT) == acknowledgement(
        whole, {}, profile, 5, AT
    )


@pytest.mark.parametrize("dialect", [Dialect.X12, Dialect.EDIFACT])
def test_a_refused_set_is_acknowledged_from_the_envelopes_as_from_the_whole_interchange(
    dialect: Dialect,
) -> None:
    # Given the second set of an interchange refused by the translator at its third segment
    profile = PartnerProfile("p", "SUPPLIER", dialect, "004010", US, THEM)
    envelopes = Envelopes()
    if dialect is Dialect.X12:
        body = x12_two_groups()
        (whole,) = x12_reader.read_interchanges([body])
        documents: list[TransactionSet | Message] = list(x12_reader.read_sets([body]))
    else:
        body = edifact_interchange(orders_message("1"), orders_message("2")).encode()
        (whole,) = edifact_reader.read_interchanges([body])
        documents = list(edifact_reader.read_messages([body]))
    for each in documents:
        envelopes.seen(each)
    second = documents[1]
    error = TranslationError(
        "X12", "PO1", second.position + 2, "PO103 'XX' is not in units", "PO103"
    )
    refused = {second.position: error}

    ((_, skeleton),) = envelopes.interchanges()
    ack = acknowledgement(skeleton, refused, profile, 5, AT)

    # Then the ack rejects that set, naming the segment, byte for byte as from the whole
    assert ack == acknowledgement(whole, refused, profile, 5, AT)
    assert ack is not None and (b"AK5*R*5~" in ack or b"UCS+3+12'" in ack)
