"""The pure translation from Tryton records to hub commands, with hand-written records shaped
as trytond 8.2's `search_read` returns them (no server)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.seam import ErpDataError, KnownOrder
from connectors.erp.tryton.translate import PurchaseRecord, translate
from domain.commands import (
    CancelPurchaseOrder,
    ReleasePurchaseOrder,
    RevisePurchaseOrder,
    UpsertSupplier,
)
from domain.order_line import OrderLine

WRITTEN = datetime(2026, 12, 4, 21, 18, 2, 517996)
PARTY = {"id": 7, "code": "12", "name": "Acme Fasteners", "write_date": None,
         "create_date": datetime(2026, 12, 1, 8, 0)}  # fmt: skip


def line(line_id: int = 31, **changes: Any) -> dict[str, Any]:
    found = {
        "id": line_id, "purchase": 5, "type": "line", "quantity": Decimal("100.0"),
        "unit_price": Decimal("0.35"), "delivery_date": None, "description": "Bolt M8",
        "product.": {"id": 3, "code": "BOLT-M8"}, "unit.": {"id": 1, "symbol": "u"},
    }  # fmt: skip
    return {**found, **changes}


def purchase(*lines: dict[str, Any], **changes: Any) -> PurchaseRecord:
    found = {
        "id": 5, "number": "PO-5", "revision": 0, "state": "quotation", "party": 7,
        "currency.": {"id": 1, "code": "EUR"}, "warehouse.": {"id": 5, "code": "WH"},
        "delivery_date": date(2027, 3, 1), "write_date": WRITTEN, "create_date": WRITTEN,
    }  # fmt: skip
    return PurchaseRecord({**found, **changes}, lines or (line(),), PARTY)


BOLTS = OrderLine(31, "BOLT-M8", Decimal(100), "EA", Decimal("0.35"), date(2027, 3, 1), "WH",
                  "Bolt M8")  # fmt: skip


def test_a_quoted_purchase_the_hub_has_not_seen_upserts_its_supplier_then_releases() -> None:
    messages = translate(purchase(), None, "hub")

    assert [m.command for m in messages] == [
        UpsertSupplier("12", "Acme Fasteners", erp_id="7"),
        ReleasePurchaseOrder("PO-5", "12", "EUR", (BOLTS,)),
    ]
    assert [m.message_id for m in messages] == [
        "tryton:hub:party:7:2026-12-01T08:00:00",
        "tryton:hub:purchase:5:r0",
    ]
    assert messages[1].payload_ref == "tryton:hub:purchase.purchase,5@2026-12-04T21:18:02.517996"


@pytest.mark.parametrize("state", ["draft", "confirmed", "processing", "done"])
def test_only_a_draft_stays_with_the_buyer(state: str) -> None:
    released = [type(m.command) for m in translate(purchase(state=state), None, "hub")]

    assert released == ([] if state == "draft" else [UpsertSupplier, ReleasePurchaseOrder])


def test_a_version_the_hub_already_holds_translates_to_nothing() -> None:
    assert translate(purchase(revision=2), KnownOrder(3, "open"), "hub") == []


def test_a_new_tryton_revision_is_the_hubs_next_revision_keyed_by_the_tryton_revision() -> None:
    messages = translate(purchase(line(quantity=Decimal(120)), revision=1), KnownOrder(1, "open"),
                         "hub")  # fmt: skip

    revise = messages[-1]
    assert revise.command == RevisePurchaseOrder("PO-5", 2, (
        OrderLine(31, "BOLT-M8", Decimal(120), "EA", Decimal("0.35"), date(2027, 3, 1), "WH",
                  "Bolt M8"),
    ))  # fmt: skip
    assert revise.message_id == "tryton:hub:purchase:5:r1"


def test_revisions_the_hub_missed_are_filled_so_the_numbers_stay_aligned() -> None:
    messages = translate(purchase(revision=3), KnownOrder(2, "open"), "hub")

    revisions = [m.command.revision for m in messages if isinstance(m.command, RevisePurchaseOrder)]
    assert revisions == [3, 4]
    assert [m.message_id for m in messages][-2:] == [
        "tryton:hub:purchase:5:r2",
        "tryton:hub:purchase:5:r3",
    ]


def test_a_cancelled_purchase_cancels_an_open_order_once() -> None:
    cancelled = purchase(state="cancelled")

    assert [m.command for m in translate(cancelled, KnownOrder(1, "open"), "hub")] == [
        CancelPurchaseOrder("PO-5", "cancelled in Tryton")
    ]
    assert translate(cancelled, KnownOrder(1, "cancelled"), "hub") == []
    assert translate(cancelled, None, "hub") == []  # never released: nothing to cancel


def test_comment_lines_are_not_order_lines_and_the_line_date_wins() -> None:
    comment = line(32, type="comment", quantity=None, **{"product.": None, "unit.": None})
    dated = line(delivery_date=date(2027, 2, 1))

    release = translate(purchase(dated, comment), None, "hub")[1].command

    assert isinstance(release, ReleasePurchaseOrder)
    assert [(x.line_number, x.need_by) for x in release.lines] == [(31, date(2027, 2, 1))]


@pytest.mark.parametrize(
    ("bad", "model", "record", "field", "rule"),
    [
        (line(quantity=Decimal(2**64)), "purchase.line", 31, "quantity", "at most 15 digits"),
        (line(quantity=Decimal("1.8446744073709552E+19")), "purchase.line", 31, "quantity",
         "at most 15 digits"),
        (line(quantity=Decimal("NaN")), "purchase.line", 31, "quantity", "finite"),
        (line(quantity=Decimal(0)), "purchase.line", 31, "quantity", "greater than 0"),
        (line(unit_price=Decimal("-1")), "purchase.line", 31, "unit_price", "negative"),
        (line(**{"unit.": {"id": 9, "symbol": "furlong"}}), "purchase.line", 31, "unit",
         "unknown unit of measure 'furlong'"),
        (line(**{"product.": {"id": 3, "code": None}}), "purchase.line", 31, "product.code",
         "required"),
        (line(**{"product.": {"id": 3, "code": "X" * 49}}), "purchase.line", 31, "product.code",
         "at most 48"),
        (line(description="tab\x00null"), "purchase.line", 31, "description", "control"),
        (line(2_000_000), "purchase.line", 2_000_000, "id", "from 1 to 999999"),
    ],
)  # fmt: skip
def test_a_hostile_value_is_an_error_naming_the_tryton_model_record_and_field(
    bad: dict[str, Any], model: str, record: int, field: str, rule: str
) -> None:
    with pytest.raises(ErpDataError) as raised:
        translate(purchase(bad), None, "hub")

    error = raised.value
    assert (error.model, error.record_id, error.field) == (model, record, field)
    assert rule in error.rule
    assert str(error).startswith(f"{model},{record} {field}: ")


def test_a_purchase_without_any_date_is_refused_naming_the_line() -> None:
    with pytest.raises(ErpDataError, match=r"purchase.line,31 delivery_date: is required"):
        translate(purchase(delivery_date=None), None, "hub")


def test_a_purchase_with_an_unknown_currency_or_no_number_is_refused_naming_the_purchase() -> None:
    with pytest.raises(ErpDataError, match=r"purchase.purchase,5 currency.code: must be at most"):
        translate(purchase(**{"currency.": {"id": 2, "code": "EURO"}}), None, "hub")
    with pytest.raises(ErpDataError, match=r"purchase.purchase,5 number: is required"):
        translate(purchase(number=None), None, "hub")
