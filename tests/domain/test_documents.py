"""Shipments, receipts, invoices, quality holds and exception cases, given/when/then."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from given import T0, envelope, lines

from domain.errors import ConflictError, ValidationError
from domain.exception_case import Category, ExceptionCase
from domain.goods_receipt import ReceiptLine, Variance, find_variances
from domain.invoice import Invoice, InvoiceLine, three_way_match
from domain.order_line import LineQuantity
from domain.purchase_order import PurchaseOrder
from domain.quality_event import QualityEvent
from domain.shipment import AsnItem, AsnOrder, AsnPack, Milestone, Shipment
from domain.tolerance import DEFAULT_TOLERANCE

D = Decimal


def asn(*orders: AsnOrder) -> Shipment:
    return Shipment.submit(
        "ASN-1", "SUP-A", date(2026, 11, 20), date(2026, 11, 23), "DHL", "JD1", orders, envelope()
    )


def test_an_asn_sums_its_pack_items_per_order_line() -> None:
    packs = (
        AsnPack("SSCC-1", (AsnItem(10, D(60), lots=("L1",)),)),
        AsnPack("SSCC-2", (AsnItem(10, D(40)), AsnItem(20, D(5)))),
    )

    shipment = asn(AsnOrder("PO-1", packs))

    assert shipment.quantities_for("PO-1") == (LineQuantity(10, D(100)), LineQuantity(20, D(5)))
    assert shipment.quantities_for("PO-2") == ()


def test_a_delay_must_say_when_the_goods_now_arrive() -> None:
    shipment = asn(AsnOrder("PO-1", (AsnPack("P", (AsnItem(10, D(1)),)),)))

    with pytest.raises(ValidationError) as refused:
        shipment.record_milestone(Milestone.DELAYED, None, "", envelope())

    assert refused.value.field == "eta"
    shipment.record_milestone(Milestone.DELAYED, T0 + timedelta(days=9), "port strike", envelope())
    assert shipment.expected_delivery == (T0 + timedelta(days=9)).date()


def test_a_cancelled_asn_takes_no_more_milestones() -> None:
    shipment = asn(AsnOrder("PO-1", (AsnPack("P", (AsnItem(10, D(1)),)),)))
    shipment.cancel("wrong truck", "ASN-2", envelope())

    assert shipment.status == "replaced"
    with pytest.raises(ConflictError):
        shipment.record_milestone(Milestone.ARRIVED, None, "", envelope())


def test_receipt_variances_are_found_against_the_asn_and_the_open_po_quantity() -> None:
    received = (ReceiptLine(10, D(95), D(3)), ReceiptLine(20, D(130)))
    shipped = (LineQuantity(10, D(100)), LineQuantity(20, D(130)))

    variances = find_variances(received, shipped, {10: D(100), 20: D(120)})

    assert variances == (Variance(10, "asn", D(100), D(98)), Variance(20, "po", D(120), D(130)))


def order_with_receipt(received: str) -> PurchaseOrder:
    po = PurchaseOrder.release("PO-1", "SUP-A", "EUR", lines(1), envelope())
    po.record_receipt("GR-1", (LineQuantity(10, D(received)),), envelope())
    return po


def test_an_invoice_at_po_price_for_received_goods_matches() -> None:
    findings = three_way_match(
        "EUR", (InvoiceLine(10, D(100), D("2.50")),), order_with_receipt("100"), DEFAULT_TOLERANCE
    )

    assert findings == ()


def test_an_invoice_above_price_tolerance_or_beyond_receipts_is_blocked_with_reasons() -> None:
    findings = three_way_match(
        "USD", (InvoiceLine(10, D(100), D("2.60")),), order_with_receipt("80"), DEFAULT_TOLERANCE
    )

    assert [f.rule for f in findings] == ["currency", "price", "received_quantity"]
    assert "100 invoiced in all, 80 received" in findings[2].detail


def test_an_invoice_moves_through_its_lifecycle_and_refuses_payment_while_blocked() -> None:
    invoice = Invoice.submit(
        "INV-1",
        "SUP-A",
        "PO-1",
        "EUR",
        date(2026, 11, 30),
        (InvoiceLine(10, D(1), D(1)),),
        envelope(),
    )
    invoice.match(
        three_way_match("USD", invoice.lines, order_with_receipt("1"), DEFAULT_TOLERANCE),
        envelope(),
    )

    assert invoice.status == "blocked"
    with pytest.raises(ConflictError):
        invoice.pay("PAY-1", date(2026, 12, 30), envelope())
    invoice.approve(envelope())
    invoice.pay("PAY-1", date(2026, 12, 30), envelope())
    assert invoice.status == "paid"


def test_a_quality_hold_is_released_once() -> None:
    hold = QualityEvent.place_hold(
        "QH-1", "GR-1", "PO-1", "SUP-A", "LOT-7", "burrs on edge", "cert/77", envelope()
    )
    hold.request_corrective_action("8D report within 10 days", envelope())
    hold.release("rework accepted", envelope())

    with pytest.raises(ConflictError):
        hold.release("again", envelope())


def test_an_exception_case_is_routed_with_a_due_time_from_the_message_time() -> None:
    message = envelope(message_id="m-77")

    case = ExceptionCase.open(
        Category.DUPLICATE_INVOICE, "invoice:SUP-A:INV-1", "SUP-A", "same number", message
    )

    assert case.owner_role == "ap"
    assert case.due_at == message.at + timedelta(hours=72)
    assert case.key == "duplicate_invoice:invoice:SUP-A:INV-1:m-77"
    case.assign("ap.clerk@example.com", envelope())
    case.resolve("credit note requested", envelope())
    with pytest.raises(ConflictError):
        case.resolve("twice", envelope())


def test_a_supplier_upsert_with_nothing_new_records_nothing() -> None:
    from domain.supplier import ChannelId, Supplier

    ids = (ChannelId("x12", "ZZ:ACME"),)
    acme = Supplier.register("SUP-A", "Acme", "V1", ids, "active", envelope())
    acme.collect_events()

    assert acme.update("Acme", "V1", ids, "active", envelope()) is False
    assert acme.update("Acme GmbH", "V1", ids, "active", envelope()) is True
    assert [type(e).__name__ for e in acme.collect_events()] == ["Updated"]


def test_a_suppliers_own_tolerance_overrides_the_default() -> None:
    from domain.supplier import Supplier
    from domain.tolerance import TolerancePolicy

    acme = Supplier.register("SUP-A", "Acme", "", (), "active", envelope())
    assert acme.tolerance_or(DEFAULT_TOLERANCE) is DEFAULT_TOLERANCE

    strict = TolerancePolicy(quantity_pct=D(0), days_early=0, days_late=0, price_pct=D(0))
    acme.set_tolerance(strict, envelope())

    assert acme.tolerance_or(DEFAULT_TOLERANCE) == strict


def _case() -> ExceptionCase:
    return ExceptionCase.open(
        Category.PRICE_MISMATCH, "invoice:SUP-A:INV-1", "SUP-A", "price", envelope()
    )


def test_a_comment_is_recorded_on_an_open_case_and_after_it_is_resolved() -> None:
    case = _case()

    case.comment("asked the supplier\n\tfor a credit note", envelope(message_id="c-1"))
    case.resolve("credit note received", envelope())
    case.comment("the credit note came on 3 Dec", envelope(message_id="c-2"))

    comments = [e for e in case.collect_events() if type(e).__qualname__.endswith("Commented")]
    assert [(e.text, e.provenance.message_id) for e in comments] == [  # type: ignore[attr-defined]
        ("asked the supplier\n\tfor a credit note", "c-1"),
        ("the credit note came on 3 Dec", "c-2"),
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "must not be empty"),
        (" \n\t ", "must not be empty"),
        ("x" * 2_001, "must be at most 2000 characters"),
        ("bell\x07", "must not contain control characters (newlines and tabs are allowed)"),
        ("escape\x1b[31m", "must not contain control characters (newlines and tabs are allowed)"),
    ],
)
def test_a_comment_that_is_empty_too_long_or_holds_control_characters_is_refused_naming_text(
    text: str, rule: str
) -> None:
    case = _case()
    case.collect_events()

    with pytest.raises(ValidationError) as refused:
        case.comment(text, envelope())

    assert (refused.value.field, refused.value.rule) == ("text", rule)
    assert case.collect_events() == []
