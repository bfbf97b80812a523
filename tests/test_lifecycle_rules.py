"""The lifecycle rules a hostile supplier or careless connector crossed (issue 11): nothing
against a cancelled or closed PO, over-shipment raised, a line named twice refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from given import envelope, lines, unique

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import SupplyHub
from domain.errors import ConflictError, ValidationError
from domain.goods_receipt import ReceiptLine
from domain.invoice import InvoiceLine
from domain.outcome import Outcome
from domain.provenance import Channel, Provenance
from domain.shipment import AsnItem, AsnOrder, AsnPack

pytestmark = pytest.mark.postgres

SHIP = date(2026, 11, 20)


@pytest.fixture
def supplier(hub: SupplyHub) -> str:
    code = unique("SUP")
    hub.handle(c.UpsertSupplier(code, f"Supplier {code}"), envelope())
    return code


@pytest.fixture
def po_number(hub: SupplyHub, supplier: str) -> str:
    number = unique("PO")  # line 10: 100, line 20: 100 (tolerance 5 %)
    hub.handle(c.ReleasePurchaseOrder(number, supplier, "EUR", lines(2)), envelope())
    return number


def says(supplier: str) -> Provenance:
    return envelope(Channel.PORTAL, tenant=supplier)


def ship(po: str, supplier: str, *items: tuple[int, str], packs: int = 1) -> c.SubmitShipNotice:
    asn_items = tuple(AsnItem(n, Decimal(q)) for n, q in items)
    order = AsnOrder(po, tuple(AsnPack(f"PACK-{p}", asn_items) for p in range(packs)))
    return c.SubmitShipNotice(supplier, unique("ASN"), SHIP, SHIP, (order,))


def receive(po: str, *lines_: tuple[int, str]) -> c.PostGoodsReceipt:
    received = tuple(ReceiptLine(n, Decimal(q)) for n, q in lines_)
    return c.PostGoodsReceipt(unique("GR"), po, SHIP, received)


def invoice(po: str, supplier: str, *lines_: tuple[int, str]) -> c.SubmitInvoice:
    invoiced = tuple(InvoiceLine(n, Decimal(q), Decimal("2.50")) for n, q in lines_)
    return c.SubmitInvoice(supplier, unique("INV"), po, "EUR", SHIP, invoiced)


@pytest.mark.parametrize("ending", ["cancelled", "closed"])
def test_nothing_ships_is_received_or_invoiced_against_an_ended_po(
    hub: SupplyHub, supplier: str, po_number: str, ending: str
) -> None:
    end = c.CancelPurchaseOrder(po_number, "no longer needed") if ending == "cancelled" else (
        c.ClosePurchaseOrder(po_number)
    )  # fmt: skip
    hub.handle(end, envelope())
    before = hub.recorder.max_notification_id()

    attempts: list[tuple[c.Command, Provenance]] = [
        (ship(po_number, supplier, (10, "5")), says(supplier)),
        (receive(po_number, (10, "5")), envelope()),
        (invoice(po_number, supplier, (10, "5")), says(supplier)),
    ]
    for command, provenance in attempts:
        with pytest.raises(ConflictError, match=f"purchase order {po_number} is {ending}"):
            hub.handle(command, provenance)

    assert hub.recorder.max_notification_id() == before


def test_an_acknowledgement_of_a_cancelled_po_is_refused_even_for_an_old_revision(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    hub.handle(c.RevisePurchaseOrder(po_number, 2, lines(2)), envelope())
    hub.handle(c.CancelPurchaseOrder(po_number, "no longer needed"), envelope())

    for revision in (2, 1):
        answer = c.AcknowledgePurchaseOrder(
            po_number, revision, (c.LineAnswer(10, AckStatus.ACCEPTED, "ACCEPTED"),)
        )
        with pytest.raises(ConflictError, match="is cancelled"):
            hub.handle(answer, says(supplier))


def test_shipments_beyond_the_quantity_tolerance_open_an_over_shipment_case(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    within = hub.handle(ship(po_number, supplier, (10, "60")), says(supplier))
    beyond = hub.handle(ship(po_number, supplier, (10, "50"), (20, "100")), says(supplier))

    assert within.exceptions == ()
    assert len(beyond.exceptions) == 1
    assert beyond.exceptions[0].startswith("over_shipment:")


def test_a_replaced_asn_no_longer_counts_towards_over_shipment(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    first = ship(po_number, supplier, (10, "100"))
    hub.handle(first, says(supplier))
    replacement = ship(po_number, supplier, (10, "100"))
    hub.handle(c.CancelShipNotice(supplier, first.asn_number, "wrong pallets",
                                  replacement.asn_number), says(supplier))  # fmt: skip

    outcome = hub.handle(replacement, says(supplier))
    beyond = hub.handle(ship(po_number, supplier, (10, "100")), says(supplier))

    assert outcome.exceptions == ()
    assert len(beyond.exceptions) == 1


def test_one_line_split_over_two_packs_is_counted_once_in_their_sum(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    outcome = hub.handle(ship(po_number, supplier, (10, "50"), packs=2), says(supplier))

    assert (outcome.status, outcome.exceptions) == ("applied", ())


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda po, sup: ship(po, sup, (10, "5"), (20, "5"), (10, "5")),
         "orders[0].packs[0].items[2].line_number"),
        (lambda po, sup: receive(po, (10, "5"), (10, "5")), "lines[1].line_number"),
        (lambda po, sup: invoice(po, sup, (20, "5"), (20, "5")), "lines[1].line_number"),
    ],
)  # fmt: skip
def test_a_po_line_named_twice_in_one_document_is_refused_naming_the_entry(
    hub: SupplyHub, supplier: str, po_number: str, build: object, field: str
) -> None:
    command = build(po_number, supplier)  # type: ignore[operator]

    with pytest.raises(ValidationError) as refused:
        hub.handle(command, says(supplier))

    assert refused.value.field == field
    assert refused.value.rule.endswith("is named twice")


def test_an_asn_naming_one_po_twice_is_refused(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    order = AsnOrder(po_number, (AsnPack("P1", (AsnItem(10, Decimal(5)),)),))
    notice = c.SubmitShipNotice(supplier, unique("ASN"), SHIP, SHIP, (order, order))

    with pytest.raises(ValidationError, match=r"orders\[1\].po_number"):
        hub.handle(notice, says(supplier))


def test_an_open_po_still_takes_shipments_receipts_and_invoices(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    outcomes = [
        hub.handle(ship(po_number, supplier, (10, "100")), says(supplier)),
        hub.handle(receive(po_number, (10, "100")), envelope()),
        hub.handle(invoice(po_number, supplier, (10, "100")), says(supplier)),
    ]

    assert all(isinstance(o, Outcome) and not o.replayed for o in outcomes)
