"""EDIFACT ORDRSP, DESADV, INVOIC and CONTRL become the hub's canonical commands (or a
functional ack); what cannot be said as one is refused naming segment, position, element."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from edifact_samples import interchange

from connectors.edi.errors import TranslationError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import AckResult, Translation
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress
from domain.acknowledgement import AckStatus
from domain.commands import AcknowledgePurchaseOrder, ProposeChange, SubmitInvoice, SubmitShipNotice
from domain.invoice import InvoiceLine

PROFILE = PartnerProfile(
    "eurodis", "SUP-EU", Dialect.EDIFACT, "D96A",
    PartyAddress("ZZ", "SUPPLIER"), PartyAddress("ZZ", "BUYERHUB"),
    items=(("SA-1", "ITEM-1"),),
)  # fmt: skip


def message(kind: str, *body: str, reference: str = "1") -> list[str]:
    return [f"UNH+{reference}+{kind}:D:96A:UN", *body, f"UNT+{len(body) + 2}+{reference}"]


def translate(*messages: list[str], profile: PartnerProfile | None = PROFILE) -> list[Translation]:
    return list(translate_file([interchange(*messages)], profile))


ORDRSP = message(
    "ORDRSP",
    "BGM+231+R-1+4",
    "DTM+137:20261204:102",
    "RFF+ON:PO-77:::2",
    "LIN+1+5+ITEM-1:IN",
    "QTY+21:10:PCE",
    "QTY+113:10:PCE",
    "LIN+2+6+ITEM-2:IN",
    "QTY+21:10:PCE",
    "QTY+113:7,5:PCE",
    "DTM+67:20261222:102",
    "PRI+AAA:2,75",
    "LIN+3+7+ITEM-3:IN",
    "LIN+4+4+ITEM-4:IN",
    "LIN+5++ITEM-5:IN",
    "UNS+S",
)


def test_an_ordrsp_answers_each_line_by_its_1229_code_as_the_standard_lists_them() -> None:
    (translation,) = translate(ORDRSP)

    acknowledge = translation.commands[0]
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert (acknowledge.po_number, acknowledge.revision) == ("PO-77", 2)  # RFF ON 1060
    assert [(a.line_number, a.source_code, a.status) for a in acknowledge.lines] == [
        (1, "5", AckStatus.ACCEPTED),  # accepted without amendment
        (2, "6", AckStatus.ACCEPTED_WITH_CHANGES),  # accepted with amendment
        (3, "7", AckStatus.REJECTED),  # not accepted
        (4, "4", AckStatus.PENDING),  # no action: this message does not answer it
        (5, "4", AckStatus.ACCEPTED_WITH_CHANGES),  # no 1229: BGM 1225 4 (change)
    ]
    # The UNA's decimal comma read as the decimal mark.
    assert acknowledge.lines[1].confirmed_quantity == Decimal("7.5")
    assert acknowledge.lines[1].confirmed_price == Decimal("2.75")


def test_an_ordrsp_line_accepted_with_amendment_is_also_a_change_proposal() -> None:
    (translation,) = translate(ORDRSP)

    assert translation.commands[1:] == (
        ProposeChange(
            "PO-77", 2, 2, "IC1-1-2", Decimal("7.5"), date(2026, 12, 22),
            reason="ORDRSP LIN 1229 6",
        ),
    )  # fmt: skip


def test_an_ordrsp_line_with_an_unknown_1229_code_is_refused_naming_table_and_value() -> None:
    answer = message("ORDRSP", "BGM+231+R-1+29", "RFF+ON:PO-77", "LIN+1+27+ITEM-1:IN")

    with pytest.raises(TranslationError) as refused:
        translate(answer)

    assert str(refused.value).startswith(
        "EDIFACT LIN at segment 5: LIN 1229 '27' is not in EDIFACT 1229 nor the partner's "
        "overrides (known: 3, 4, 5, 6, 7)"
    )


def test_a_line_number_past_the_domains_limit_is_refused_naming_lin_1082() -> None:
    answer = message("ORDRSP", "BGM+231+R-1+29", "RFF+ON:PO-77", "LIN+18446744073709551616+5")

    with pytest.raises(TranslationError) as refused:
        translate(answer)

    assert str(refused.value) == (
        "EDIFACT LIN at segment 5: LIN 1082 18446744073709551616 must be from 1 to 999999"
    )


def test_a_desadv_becomes_a_ship_notice_by_order_pack_and_item() -> None:
    despatch = message(
        "DESADV",
        "BGM+351+ASN-5+9",
        "DTM+11:20261210:102",
        "DTM+17:202612131200:203",
        "RFF+ON:PO-77",
        "RFF+CN:1Z999",
        "TDT+20++++UPSN:::United Parcel",
        "CPS+1",
        "CPS+2+1",
        "PAC+1++PX",
        "GIN+BJ+00012345600000000017",
        "LIN+1++SA-1:SA",
        "QTY+12:6:PCE",
        "GIN+BX+LOT-A+LOT-B",
        "RFF+ON:PO-77:3",
        "LIN+2++ITEM-2:IN",
        "QTY+12:4:PCE",
    )

    (translation,) = translate(despatch)

    (notice,) = translation.commands
    assert isinstance(notice, SubmitShipNotice)
    assert (notice.asn_number, notice.ship_date, notice.expected_delivery) == (
        "ASN-5",
        date(2026, 12, 10),
        date(2026, 12, 13),
    )
    assert (notice.carrier, notice.tracking_number) == ("UPSN", "1Z999")
    (order,) = notice.orders
    (pack,) = [pack for pack in order.packs if pack.items]
    assert pack.pack_id == "00012345600000000017"
    # The line-level RFF ON names the order line (1156); the supplier's article is mapped.
    assert [(i.line_number, i.quantity, i.item, i.lots) for i in pack.items] == [
        (3, Decimal("6"), "ITEM-1", ("LOT-A", "LOT-B")),
        (2, Decimal("4"), "ITEM-2", ()),
    ]


def test_an_invoic_becomes_an_invoice_with_its_currency_and_net_prices() -> None:
    invoice = message(
        "INVOIC",
        "BGM+380+INV-9+9",
        "DTM+3:20261215:102",
        "RFF+ON:PO-77",
        "CUX+2:EUR:4",
        "LIN+1++ITEM-1:IN",
        "QTY+47:10:PCE",
        "PRI+AAA:2,5",
        "LIN+2++ITEM-2:IN",
        "QTY+47:8:PCE",
        "PRI+INV:2,75",
        "UNS+S",
        "MOA+79:47",
    )

    (translation,) = translate(invoice)

    assert translation.commands == (
        SubmitInvoice(
            "SUP-EU", "INV-9", "PO-77", "EUR", date(2026, 12, 15),
            (
                InvoiceLine(1, Decimal("10"), Decimal("2.5")),
                InvoiceLine(2, Decimal("8"), Decimal("2.75")),
            ),
        ),
    )  # fmt: skip


def test_a_credit_note_is_not_taken_for_an_invoice() -> None:
    credit = message("INVOIC", "BGM+381+CN-1+9", "DTM+3:20261215:102", "RFF+ON:PO-77")

    with pytest.raises(TranslationError, match=r"BGM 1001 '381' is not an invoice"):
        translate(credit)


def test_a_contrl_is_a_functional_ack_with_each_messages_verdict() -> None:
    contrl = message(
        "CONTRL",
        "UCI+IC9+BUYERHUB:ZZ+SUPPLIER:ZZ+4",
        "UCM+1+ORDERS:D:96A:UN+7",
        "UCM+2+ORDERS:D:96A:UN+4+13",
        "UCS+5+12",
        "UCD+13+2:1",
    )

    (translation,) = translate(contrl)

    result = translation.acknowledgment
    assert translation.commands == () and result is not None
    assert (result.reference, result.result) == ("IC9", AckResult.REJECTED)
    assert [(s.kind, s.control, s.result, s.errors) for s in result.sets] == [
        ("ORDERS", "1", AckResult.ACCEPTED, ()),
        ("ORDERS", "2", AckResult.REJECTED, ("UCM 0085 13", "UCS 5 12", "UCD 13 2")),
    ]


def test_a_proposal_id_past_the_domains_limit_is_a_digest_the_same_on_every_resend() -> None:
    long_references = interchange(
        [s.replace("UNH+1+", "UNH+ABCDEFGHIJKLMN+").replace("UNT+17+1", "UNT+17+ABCDEFGHIJKLMN")
         .replace("LIN+2+6", "LIN+123456+6") for s in ORDRSP],
        reference="IC000000000001",
    )  # fmt: skip

    first = list(translate_file([long_references], PROFILE))
    again = list(translate_file([long_references], PROFILE))

    (change,) = first[0].commands[1:]
    assert isinstance(change, ProposeChange)
    assert change.proposal_id.startswith("edi-") and len(change.proposal_id) <= 35
    assert again[0].commands[1:] == (change,)
