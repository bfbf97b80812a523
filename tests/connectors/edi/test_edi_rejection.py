"""Our rejecting 997 / CONTRL names the envelope the error is in: in a file of several
interchanges, the one that broke (the error's position counts from its own header), and the
same ack whether the file is read whole or again in small chunks (as a file too large to
hold is, so a refused 100 MB file is never held)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from edifact.edifact_samples import interchange as edifact_interchange
from edifact.edifact_samples import orders_message
from x12.x12_samples import interchange as x12_interchange
from x12.x12_samples import purchase_order_set

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.errors import ControlCountError, EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.x12 import reader as x12_reader
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress
from connectors.gateway.rejection import rejecting_ack

AT = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
US, THEM = PartyAddress("ZZ", "SUPPLIER"), PartyAddress("ZZ", "BUYERHUB")
X12 = PartnerProfile("p", "SUPPLIER", Dialect.X12, "004010", US, THEM)
EDIFACT = PartnerProfile("p", "SUPPLIER", Dialect.EDIFACT, "D96A", US, THEM)


def miscounted(segments: list[str]) -> list[str]:
    control = segments[-1].split("*")[2]
    return [*segments[:-1], f"SE*99*{control}"]


def x12_second_interchange_broken() -> bytes:
    good = x12_interchange(purchase_order_set("0001"), purchase_order_set("0002"))
    bad = x12_interchange(
        purchase_order_set("0001"), miscounted(purchase_order_set("0002")),
        control="000000102", group="9",
    )  # fmt: skip
    return (good + bad).encode()


def edifact_second_interchange_broken() -> bytes:
    noted = [*orders_message("2")[:-2], "FTX+AAI+++IT?'S ON ITS WAY", "UNS+S"]
    good = edifact_interchange(orders_message("1"))
    bad = edifact_interchange(orders_message("1"), [*noted, "UNT+99+2"], reference="IC2")
    return (good + bad).encode()


def refusal_of(body: bytes) -> EdiSyntaxError:
    read = x12_reader.read_sets if body.startswith(b"ISA") else edifact_reader.read_messages
    with pytest.raises(EdiSyntaxError) as caught:
        list(read([body]))
    return caught.value


def pieces(body: bytes, size: int) -> list[bytes]:
    return [body[start : start + size] for start in range(0, len(body), size)]


def test_an_x12_file_whose_second_interchange_breaks_is_rejected_by_that_interchange() -> None:
    body = x12_second_interchange_broken()
    error = refusal_of(body)

    rejection = rejecting_ack(body, error, X12, 5, AT)

    assert isinstance(error, ControlCountError) and error.interchange == 2
    assert rejection.reference == "000000102"
    assert "AK1*PO*9~AK2*850*0002~AK5*R*4~AK9*R*1*1*0~" in rejection.document.decode()


def test_an_edifact_file_whose_second_interchange_breaks_is_rejected_by_that_interchange() -> None:
    body = edifact_second_interchange_broken()
    error = refusal_of(body)

    rejection = rejecting_ack(body, error, EDIFACT, 5, AT)

    assert isinstance(error, ControlCountError) and error.interchange == 2
    assert rejection.reference == "IC2"
    assert "UCI+IC2+BUYERHUB:ZZ+SUPPLIER:ZZ+4'UCM+2+ORDERS:D:96A:UN+4+29'" in (
        rejection.document.decode()
    )


@pytest.mark.parametrize("size", [1, 7, 106, 4096])
@pytest.mark.parametrize(
    ("body", "profile"),
    [
        (x12_second_interchange_broken(), X12),
        (edifact_second_interchange_broken(), EDIFACT),
    ],
    ids=["x12", "edifact"],
)
def test_the_ack_read_again_in_chunks_is_the_ack_read_whole(
    body: bytes, profile: PartnerProfile, size: int
) -> None:
    error = refusal_of(body)

    whole = rejecting_ack(body, error, profile, 5, AT)
    chunked = rejecting_ack(iter(pieces(body, size)), error, profile, 5, AT)

    assert chunked == whole


def test_a_set_that_cannot_be_translated_names_the_interchange_it_is_in() -> None:
    answer = ["ST*855*0001", "BAK*00*AC*PO-77*20261204", "PO1*1*10*EA*2.5**BP*ITEM-1",
              "ACK*IA*10*EA*067*20261220", "SE*5*0001"]  # fmt: skip
    unknown = [*answer[:3], "ACK*QQ*10*EA*067*20261220", "SE*5*0001"]
    body = (x12_interchange(answer) + x12_interchange(unknown, control="000000102")).encode()

    with pytest.raises(EdiSyntaxError) as caught:
        list(translate_file([body]))

    assert caught.value.interchange == 2
    assert "ACK01" in str(caught.value) and "'QQ'" in str(caught.value)
