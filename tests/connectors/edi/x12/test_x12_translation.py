"""X12 855, 856, 810 and 997 become the hub's canonical commands (or a functional ack);
what cannot be said as one is refused naming the segment, its position, the element and rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from x12_samples import interchange

from connectors.edi.errors import TranslationError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import AckResult, Translation
from connectors.gateway.profile import (
    CodeOverride,
    Dialect,
    PartnerProfile,
    PartyAddress,
)
from domain.acknowledgement import AckStatus
from domain.commands import (
    AcknowledgePurchaseOrder,
    ProposeChange,
    SubmitInvoice,
    SubmitShipNotice,
)
from domain.invoice import InvoiceLine

PROFILE = PartnerProfile(
    "acme-supply", "SUP-1", Dialect.X12, "004010",
    PartyAddress("ZZ", "SUPPLIER"), PartyAddress("ZZ", "BUYERHUB"),
    items=(("VP-9", "WIDGET-9"),), units=(("EA", "EA"), ("CA", "CS")), currency="USD",
)  # fmt: skip


def transaction(code: str, *body: str, control: str = "0001") -> list[str]:
    return [f"ST*{code}*{control}", *body, f"SE*{len(body) + 2}*{control}"]


def translate(*sets: list[str], profile: PartnerProfile | None = PROFILE) -> list[Translation]:
    return list(translate_file([interchange(*sets)], profile))


ANSWER = transaction(
    "855",
    "BAK*00*AC*PO-77*20261204",
    "REF*PP*2",
    "PO1*1*10*EA*2.5**BP*ITEM-1",
    "ACK*IA*10*EA*067*20261220",
    "PO1*2*10*EA*2.5**BP*ITEM-2",
    "ACK*IQ*8*EA*067*20261222",
    "PO1*3*10*EA*2.5**BP*ITEM-3",
    "ACK*IR*0*EA",
    "PO1*4*5*EA*3**BP*ITEM-4",
    "CTT*4",
)


def test_an_855_acknowledges_each_line_with_the_partners_code_and_the_canonical_status() -> None:
    (translation,) = translate(ANSWER)

    acknowledge = translation.commands[0]
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert (acknowledge.po_number, acknowledge.revision) == ("PO-77", 2)
    assert [(a.line_number, a.source_code, a.status) for a in acknowledge.lines] == [
        (1, "IA", AckStatus.ACCEPTED),
        (2, "IQ", AckStatus.ACCEPTED_WITH_CHANGES),
        (3, "IR", AckStatus.REJECTED),
        (4, "AC", AckStatus.ACCEPTED_WITH_CHANGES),  # no ACK: BAK02, the whole order's answer
    ]
    assert acknowledge.lines[1].confirmed_quantity == Decimal("8")
    assert acknowledge.lines[1].confirmed_date == date(2026, 12, 22)
    assert acknowledge.lines[2].confirmed_quantity is None  # a rejection commits to nothing


def test_an_855_line_accepted_with_another_quantity_is_also_a_change_proposal() -> None:
    (translation,) = translate(ANSWER)

    (change,) = translation.commands[1:]
    assert change == ProposeChange(
        "PO-77", 2, 2, "000000101-0001-2", Decimal("8"), date(2026, 12, 22),
        reason="855 ACK01 IQ",
    )  # fmt: skip


def test_an_unknown_line_status_is_refused_naming_the_table_and_the_value() -> None:
    answer = transaction("855", "BAK*00*AD*PO-77*20261204", "PO1*1*10*EA", "ACK*ZZ*10*EA")

    with pytest.raises(TranslationError) as refused:
        translate(answer)

    assert str(refused.value).startswith(
        "X12 ACK at segment 6: ACK01 'ZZ' is not in X12 668 nor the partner's overrides"
    )
    assert refused.value.element == "ACK01"


def test_a_partners_override_gives_a_code_the_standard_leaves_open_its_meaning() -> None:
    answer = transaction("855", "BAK*00*AD*PO-77*20261204", "PO1*1*10*EA", "ACK*SP*10*EA")
    overridden = PartnerProfile(
        PROFILE.partner, PROFILE.supplier, PROFILE.dialect, PROFILE.version, PROFILE.ours,
        PROFILE.theirs, code_overrides=(CodeOverride("X12 668", "SP", AckStatus.PENDING),),
    )  # fmt: skip

    (translation,) = translate(answer, profile=overridden)

    acknowledge = translation.commands[0]
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert (acknowledge.lines[0].source_code, acknowledge.lines[0].status) == (
        "SP",
        AckStatus.PENDING,
    )


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("PO1*18446744073709551616*10*EA", "PO101 18446744073709551616 must be from 1 to 999999"),
        ("PO1*one*10*EA", "PO101 'one' is not a line number"),
        ("PO1**10*EA", "PO101 is required here and empty"),
        ("PO1*1*10*BOX", "PO103 'BOX' is not in the partner's units table"),
    ],
)
def test_a_line_the_domain_cannot_hold_is_refused_naming_the_element(line: str, rule: str) -> None:
    answer = transaction("855", "BAK*00*AD*PO-77*20261204", line, "ACK*IA*10*EA")

    with pytest.raises(TranslationError) as refused:
        translate(answer)

    assert str(refused.value) == f"X12 PO1 at segment 5: {rule}"


SHIP_NOTICE = transaction(
    "856",
    "BSN*00*ASN-5*20261210*1200",
    "HL*1**S",
    "TD5**2*UPSN",
    "REF*CN*1Z999",
    "DTM*011*20261210",
    "DTM*017*20261213",
    "HL*2*1*O",
    "PRF*PO-77",
    "HL*3*2*P",
    "MAN*GM*00012345600000000017",
    "HL*4*3*I",
    "LIN*1*BP*ITEM-1*LT*LOT-A",
    "SN1**6*EA",
    "HL*5*3*I",
    "LIN*2*VP*VP-9",
    "SN1**4*CA",
    "REF*SE*SER-1",
    "HL*6*2*P",
    "MAN*GM*00012345600000000024",
    "HL*7*6*I",
    "LIN*1*BP*ITEM-1",
    "SN1**4*EA",
    "CTT*7",
)


def test_an_856_hl_tree_becomes_a_ship_notice_by_order_pack_and_item() -> None:
    (translation,) = translate(SHIP_NOTICE)

    (notice,) = translation.commands
    assert isinstance(notice, SubmitShipNotice)
    assert (notice.supplier, notice.asn_number) == ("SUP-1", "ASN-5")
    assert (notice.ship_date, notice.expected_delivery) == (date(2026, 12, 10), date(2026, 12, 13))
    assert (notice.carrier, notice.tracking_number) == ("UPSN", "1Z999")
    (order,) = notice.orders
    assert order.po_number == "PO-77"
    assert [pack.pack_id for pack in order.packs] == [
        "00012345600000000017",
        "00012345600000000024",
    ]
    first, second = order.packs[0].items
    assert (first.line_number, first.quantity, first.item, first.lots) == (
        1,
        Decimal("6"),
        "ITEM-1",
        ("LOT-A",),
    )
    # The vendor's part through the partner's items table; its serial from REF SE.
    assert (second.item, second.serials) == ("WIDGET-9", ("SER-1",))
    assert [line.quantity for line in order.quantities()] == [Decimal("10"), Decimal("4")]


def test_an_856_item_with_a_vendor_part_the_partner_did_not_map_is_refused() -> None:
    notice = [s.replace("VP*VP-9", "VP*VP-404") for s in SHIP_NOTICE]

    with pytest.raises(TranslationError, match=r"X12 LIN at segment 18: LIN03 'VP-404' is not in"):
        translate(notice)


def test_an_856_without_an_estimated_delivery_arrives_after_the_partners_transit_days() -> None:
    notice = [s for s in SHIP_NOTICE if not s.startswith("DTM*017")]
    notice[-1] = f"SE*{len(notice)}*0001"
    slow = PartnerProfile(
        PROFILE.partner, PROFILE.supplier, PROFILE.dialect, PROFILE.version, PROFILE.ours,
        PROFILE.theirs, items=PROFILE.items, transit_days=3,
    )  # fmt: skip

    (translation,) = translate(notice, profile=slow)

    assert isinstance(translation.commands[0], SubmitShipNotice)
    assert translation.commands[0].expected_delivery == date(2026, 12, 13)


def test_an_810_becomes_an_invoice_in_the_partners_currency_when_it_names_none() -> None:
    invoice = transaction(
        "810",
        "BIG*20261215*INV-9**PO-77",
        "IT1*1*10*EA*2.5",
        "IT1*2*8*EA*2.75",
        "TDS*4700",
    )

    (translation,) = translate(invoice)

    assert translation.commands == (
        SubmitInvoice(
            "SUP-1", "INV-9", "PO-77", "USD", date(2026, 12, 15),
            (
                InvoiceLine(1, Decimal("10"), Decimal("2.5")),
                InvoiceLine(2, Decimal("8"), Decimal("2.75")),
            ),
        ),
    )  # fmt: skip


def test_an_810_with_no_currency_and_a_profile_naming_none_is_refused() -> None:
    invoice = transaction("810", "BIG*20261215*INV-9**PO-77", "IT1*1*10*EA*2.5")

    with pytest.raises(TranslationError) as refused:
        translate(invoice, profile=None)

    assert str(refused.value) == (
        "X12 BIG at segment 4: CUR02 is missing (no CUR) and the partner's profile names no "
        "currency"
    )


def test_a_997_is_a_functional_ack_with_each_sets_verdict_and_errors_not_a_command() -> None:
    ack = transaction(
        "997",
        "AK1*PO*7",
        "AK2*850*0001",
        "AK5*A",
        "AK2*850*0002",
        "AK3*PO1*5**8",
        "AK4*2**7*X",
        "AK5*R*5",
        "AK9*P*2*2*1",
    )

    (translation,) = translate(ack)

    assert translation.commands == ()
    result = translation.acknowledgment
    assert result is not None
    assert (result.reference, result.result) == ("7", AckResult.PARTIALLY_ACCEPTED)
    assert [(s.control, s.result) for s in result.sets] == [
        ("0001", AckResult.ACCEPTED),
        ("0002", AckResult.REJECTED),
    ]
    assert result.sets[1].errors == ("AK3 PO1 5 8", "AK4 2 7 X", "5")


def test_a_set_the_hub_does_not_read_from_a_partner_is_refused_by_its_st01() -> None:
    with pytest.raises(TranslationError, match=r"X12 ST at segment 3: ST01 '850' is not a set"):
        translate(transaction("850", "BEG*00*SA*PO-77**20261204"))


def test_an_interchange_from_another_sender_than_the_partners_is_refused() -> None:
    other = PartnerProfile(
        "globex", "SUP-2", Dialect.X12, "004010",
        PartyAddress("ZZ", "SUPPLIER"), PartyAddress("ZZ", "GLOBEX"),
    )  # fmt: skip

    with pytest.raises(TranslationError, match="ISA06 'BUYERHUB' is not partner globex's id"):
        translate(ANSWER, profile=other)
