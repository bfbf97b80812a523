"""`translate(document, profile)`: a supplier's ConfirmationRequest, ShipNoticeRequest and
InvoiceDetailRequest become the hub's canonical commands; a wrong element is refused naming
its path and the rule, and nothing of the document is taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from cxml_samples import PROFILE, confirmation, envelope, invoice, ship_notice

from connectors.cxml.errors import CxmlError, NotAcceptableError
from connectors.cxml.translate import translate
from domain.acknowledgement import AckStatus
from domain.commands import AcknowledgePurchaseOrder, ProposeChange, SubmitInvoice, SubmitShipNotice
from domain.invoice import InvoiceLine
from domain.order_line import ScheduleLine
from domain.shipment import AsnItem, AsnOrder, AsnPack


def test_a_detailed_confirmation_acknowledges_each_line_and_proposes_the_changed_one() -> None:
    found = translate(envelope(confirmation(revision=2)), PROFILE)

    acknowledge, change = found.commands
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert (acknowledge.po_number, acknowledge.revision) == ("PO-77", 2)
    first, second = acknowledge.lines
    assert (first.status, first.source_code, first.confirmed_quantity) == (
        AckStatus.ACCEPTED, "accept", Decimal(10),
    )  # fmt: skip
    assert (second.status, second.confirmed_quantity, second.confirmed_date) == (
        AckStatus.ACCEPTED_WITH_CHANGES, Decimal(8), date(2026, 12, 22),
    )  # fmt: skip
    assert second.confirmed_price == Decimal("2.40")
    assert isinstance(change, ProposeChange)
    assert (change.line_number, change.quantity, change.need_by) == (2, 8, date(2026, 12, 22))
    assert (
        change.proposal_id
        == translate(envelope(confirmation(revision=2)), PROFILE).commands[1].proposal_id
    )  # the same on a resend


def test_a_line_without_its_own_status_takes_the_headers_type() -> None:
    items = '<ConfirmationItem lineNumber="3" quantity="5"/>'
    found = translate(envelope(confirmation(header_type="reject", items=items)), PROFILE)

    (acknowledge,) = found.commands
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert acknowledge.lines[0].status is AckStatus.REJECTED


def test_a_backordered_line_is_accepted_with_changes() -> None:
    items = """<ConfirmationItem lineNumber="1" quantity="5">
      <ConfirmationStatus type="backordered" quantity="5" deliveryDate="2027-01-10"/>
    </ConfirmationItem>"""
    found = translate(envelope(confirmation(items=items)), PROFILE)

    acknowledge, change = found.commands
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert acknowledge.lines[0].status is AckStatus.ACCEPTED_WITH_CHANGES
    assert isinstance(change, ProposeChange) and change.need_by == date(2027, 1, 10)


def test_an_accept_of_the_whole_order_without_lines_is_refused_naming_the_header() -> None:
    document = envelope(confirmation(header_type="accept", items=" "))
    with pytest.raises(CxmlError) as refused:
        translate(document.replace(b"<ConfirmationItem", b"<Ignored"), PROFILE)
    assert refused.value.path == "/cXML/Request/ConfirmationRequest/ConfirmationHeader/@type"


def test_a_wrong_line_number_is_refused_with_its_path_and_rule() -> None:
    items = """<ConfirmationItem lineNumber="1" quantity="1"/>
    <ConfirmationItem lineNumber="0" quantity="1"/>"""
    with pytest.raises(CxmlError) as refused:
        translate(envelope(confirmation(items=items)), PROFILE)
    assert str(refused.value) == (
        "/cXML/Request/ConfirmationRequest/ConfirmationItem[2]/@lineNumber: "
        "must be from 1 to 999999"
    )


def test_an_unknown_confirmation_type_names_the_known_ones() -> None:
    items = '<ConfirmationItem lineNumber="1"><ConfirmationStatus type="maybe"/></ConfirmationItem>'
    with pytest.raises(CxmlError, match=r"'maybe' is not a confirmation type .known: ACCEPT"):
        translate(envelope(confirmation(items=items)), PROFILE)


def test_a_unit_outside_the_partners_table_is_refused() -> None:
    items = """<ConfirmationItem lineNumber="1" quantity="1">
      <UnitOfMeasure>PAL</UnitOfMeasure></ConfirmationItem>"""
    with pytest.raises(CxmlError, match=r"ConfirmationItem/UnitOfMeasure: 'PAL' is not in"):
        translate(envelope(confirmation(items=items)), PROFILE)


def test_a_ship_notice_becomes_the_notice_with_carrier_tracking_pack_and_lot() -> None:
    (notice,) = translate(envelope(ship_notice()), PROFILE).commands

    assert notice == SubmitShipNotice(
        "SUP-ACME", "ASN-1", date(2026, 12, 5), date(2026, 12, 8),
        (AsnOrder("PO-77", (AsnPack("003456789012345678", (
            AsnItem(1, Decimal(10), "ITEM-1", ("LOT-9",)),
        )),)),),
        "FDE", "8202 8261 1194",
    )  # fmt: skip


def test_an_invoice_becomes_the_invoice_of_its_order() -> None:
    (submitted,) = translate(envelope(invoice()), PROFILE).commands

    assert submitted == SubmitInvoice(
        "SUP-ACME", "INV-1", "PO-77", "USD", date(2026, 12, 9),
        (InvoiceLine(1, Decimal(10), Decimal("2.50")),),
    )  # fmt: skip


def test_an_invoice_line_backed_by_no_order_is_refused_with_the_reason() -> None:
    document = (
        envelope(invoice())
        .replace(b'<OrderReference orderID="PO-77">', b"<MasterAgreementReference>")
        .replace(b"</OrderReference>", b"</MasterAgreementReference>")
    )
    with pytest.raises(CxmlError, match=r"a non-PO line .MasterAgreementReference."):
        translate(document, PROFILE)


def test_a_credit_memo_is_refused_naming_the_purpose() -> None:
    document = envelope(invoice()).replace(b'purpose="standard"', b'purpose="creditMemo"')
    with pytest.raises(CxmlError, match="@purpose: 'creditMemo'"):
        translate(document, PROFILE)


def test_a_request_the_partner_may_not_send_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptableError, match="OrderRequest"):
        translate(envelope("<OrderRequest/>"), PROFILE)


def answered(items: str) -> tuple[AcknowledgePurchaseOrder, list[ProposeChange]]:
    """The acknowledgement and the changes a confirmation of ``items`` becomes."""
    acknowledge, *changes = translate(envelope(confirmation(items=items)), PROFILE).commands
    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert all(isinstance(change, ProposeChange) for change in changes)
    return acknowledge, changes  # type: ignore[return-value]


def refusal(items: str) -> str:
    with pytest.raises(CxmlError) as refused:
        translate(envelope(confirmation(items=items)), PROFILE)
    return str(refused.value)


def test_an_accept_of_less_than_ordered_is_a_change_to_the_quantity_accepted() -> None:
    acknowledge, (change,) = answered("""<ConfirmationItem lineNumber="1" quantity="10">
      <UnitOfMeasure>EA</UnitOfMeasure><ConfirmationStatus type="accept" quantity="6"/>
    </ConfirmationItem>""")

    line = acknowledge.lines[0]
    assert (line.status, line.source_code, line.confirmed_quantity) == (
        AckStatus.ACCEPTED_WITH_CHANGES, "accept", Decimal(6),
    )  # fmt: skip
    assert (change.quantity, change.need_by, change.splits) == (Decimal(6), None, ())


def test_part_now_and_part_backordered_is_a_change_splitting_the_line_in_two_deliveries() -> None:
    acknowledge, (change,) = answered("""<ConfirmationItem lineNumber="1" quantity="10">
      <UnitOfMeasure>EA</UnitOfMeasure>
      <ConfirmationStatus type="accept" quantity="6" deliveryDate="2026-12-20T00:00:00+00:00"/>
      <ConfirmationStatus type="backordered" quantity="4"
       deliveryDate="2027-01-15T00:00:00+00:00"/>
    </ConfirmationItem>""")

    line = acknowledge.lines[0]
    assert (line.status, line.source_code, line.confirmed_quantity, line.confirmed_date) == (
        AckStatus.ACCEPTED_WITH_CHANGES, "accept+backordered", Decimal(10), date(2027, 1, 15),
    )  # fmt: skip
    assert (change.quantity, change.need_by) == (None, None)
    assert change.splits == (
        ScheduleLine(Decimal(6), date(2026, 12, 20)), ScheduleLine(Decimal(4), date(2027, 1, 15)),
    )  # fmt: skip
    assert change.reason == "cXML ConfirmationStatus accept+backordered"


def test_part_accepted_and_part_rejected_is_a_change_to_the_quantity_accepted() -> None:
    acknowledge, (change,) = answered("""<ConfirmationItem lineNumber="2" quantity="10">
      <ConfirmationStatus type="accept" quantity="7" deliveryDate="2026-12-21"/>
      <ConfirmationStatus type="reject" quantity="3"/>
    </ConfirmationItem>""")

    assert acknowledge.lines[0].status is AckStatus.ACCEPTED_WITH_CHANGES
    assert (change.line_number, change.quantity, change.need_by) == (
        2, Decimal(7), date(2026, 12, 21),
    )  # fmt: skip


def test_a_line_rejected_in_every_part_is_rejected_and_proposes_nothing() -> None:
    acknowledge, changes = answered("""<ConfirmationItem lineNumber="1" quantity="10">
      <ConfirmationStatus type="reject" quantity="4"/>
      <ConfirmationStatus type="reject" quantity="6"/>
    </ConfirmationItem>""")

    assert (acknowledge.lines[0].status, changes) == (AckStatus.REJECTED, [])


def test_parts_that_do_not_add_up_to_the_items_quantity_are_refused_naming_it() -> None:
    assert refusal("""<ConfirmationItem lineNumber="1" quantity="10">
      <ConfirmationStatus type="accept" quantity="6" deliveryDate="2026-12-20"/>
      <ConfirmationStatus type="backordered" quantity="3" deliveryDate="2027-01-15"/>
    </ConfirmationItem>""") == (
        "/cXML/Request/ConfirmationRequest/ConfirmationItem/@quantity: "
        "the ConfirmationStatus quantities add up to 9, not the item's 10"
    )


def test_a_delivery_of_a_split_line_without_its_date_is_refused_naming_it() -> None:
    assert refusal("""<ConfirmationItem lineNumber="1" quantity="10">
      <ConfirmationStatus type="accept" quantity="6" deliveryDate="2026-12-20"/>
      <ConfirmationStatus type="backordered" quantity="4"/>
    </ConfirmationItem>""") == (
        "/cXML/Request/ConfirmationRequest/ConfirmationItem/ConfirmationStatus[2]/"
        "@deliveryDate: a line confirmed in several deliveries needs each one's date"
    )


def test_an_unknown_part_beside_a_confirmed_one_is_refused() -> None:
    assert "cannot be scheduled" in refusal("""<ConfirmationItem lineNumber="1" quantity="10">
      <ConfirmationStatus type="accept" quantity="6" deliveryDate="2026-12-20"/>
      <ConfirmationStatus type="unknown" quantity="4"/>
    </ConfirmationItem>""")
