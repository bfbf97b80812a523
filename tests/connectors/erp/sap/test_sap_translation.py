"""The SAP translation without a server: OData V2 entities as S/4HANA sends them (written from
SAP's API_PURCHASEORDER_PROCESS_SRV, API_MATERIAL_DOCUMENT_SRV and API_BUSINESS_PARTNER
documentation) -> hub commands, and the acknowledgement -> an ORDRSP IDoc."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.sap import translate as tr
from connectors.erp.sap.odata import error_of
from connectors.erp.sap.pull import SapCursor, Window
from connectors.erp.sap.worker import dump_cursor, load_cursor
from connectors.erp.sap.write import ordrsp
from connectors.erp.seam import Acknowledgement, ErpDataError, ErpRefusedError, KnownOrder, LineDate
from domain.commands import (
    CancelPurchaseOrder,
    PostGoodsReceipt,
    ReleasePurchaseOrder,
    RevisePurchaseOrder,
    UpsertSupplier,
)

MARCH_1 = "/Date(1803859200000)/"  # 2027-03-01T00:00:00Z


def item(number: str = "00010", **changes: Any) -> dict[str, Any]:
    return {
        "PurchaseOrder": "4500000200", "PurchaseOrderItem": number, "Material": "TG14",
        "Plant": "1710", "OrderQuantity": "213.000", "PurchaseOrderQuantityUnit": "PC",
        "NetPriceAmount": "301.14", "NetPriceQuantity": "1.000",
        "PurchaseOrderItemText": "Comfort Easy Keyboard", **changes,
    }  # fmt: skip


def order(*items: dict[str, Any], **changes: Any) -> tr.PurchaseOrderRecord:
    return tr.PurchaseOrderRecord({
        "PurchaseOrder": "4500000200", "Supplier": "1000015", "DocumentCurrency": "EUR",
        "PurchaseOrderDate": MARCH_1, "PurchasingProcessingStatus": "02",
        "to_PurchaseOrderItem": {"results": list(items or (item(),))}, **changes,
    })  # fmt: skip


def commands(record: tr.PurchaseOrderRecord, known: KnownOrder | None = None,
             held: tuple[Any, ...] = ()) -> list[Any]:  # fmt: skip
    return [m.command for m in tr.purchase_order(record, known, held, "S4H/100", 14)]


def test_an_odata_date_is_the_utc_instant_of_its_milliseconds() -> None:
    assert tr.parse_date(MARCH_1) == datetime(2027, 3, 1, tzinfo=UTC)
    assert tr.parse_date("/Date(1803859200000+0060)/") == datetime(2027, 3, 1, tzinfo=UTC)
    assert tr.parse_date("") is None
    with pytest.raises(ValueError, match="not an OData date"):
        tr.parse_date("2027-03-01")


def test_an_active_po_is_released_with_saps_item_numbers_units_and_price_per_unit() -> None:
    per_hundred = item("00020", NetPriceAmount="50.00", NetPriceQuantity="100.000")
    (release,) = commands(order(item(), per_hundred))

    assert isinstance(release, ReleasePurchaseOrder)
    assert (release.po_number, release.supplier, release.currency) == (
        "4500000200",
        "1000015",
        "EUR",
    )
    first, second = release.lines
    assert (first.line_number, first.item, first.quantity, first.uom, first.unit_price) == (
        10, "TG14", Decimal(213), "EA", Decimal("301.14"),
    )  # fmt: skip
    assert (first.need_by, first.ship_to, first.description) == (
        date(2027, 3, 15), "1710", "Comfort Easy Keyboard",
    )  # fmt: skip
    assert (second.line_number, second.unit_price) == (20, Decimal("0.5"))


def test_a_schedule_line_date_is_the_need_by_date_when_sap_sends_one() -> None:
    scheduled = item(to_ScheduleLine={"results": [
        {"ScheduleLineDeliveryDate": "/Date(1804896000000)/"},  # 2027-03-13
        {"ScheduleLineDeliveryDate": "/Date(1805500800000)/"},
    ]})  # fmt: skip

    (release,) = commands(order(scheduled))

    assert release.lines[0].need_by == date(2027, 3, 13)


def test_a_po_in_process_or_in_release_is_not_sent_to_the_supplier() -> None:
    assert commands(order(PurchasingProcessingStatus="01")) == []
    assert commands(order(PurchasingProcessingStatus="03")) == []


def test_the_same_lines_the_hub_holds_are_nothing_and_changed_lines_the_next_revision() -> None:
    (release,) = commands(order())
    held = release.lines

    assert commands(order(), KnownOrder(3, "open"), held) == []
    (revise,) = commands(order(item(OrderQuantity="250")), KnownOrder(3, "open"), held)
    assert isinstance(revise, RevisePurchaseOrder)
    assert (revise.revision, revise.lines[0].quantity) == (4, Decimal(250))


def test_a_rejected_or_deleted_po_cancels_only_an_open_order_the_hub_holds() -> None:
    rejected = order(PurchasingProcessingStatus="08")
    deleted_items = order(item(PurchasingDocumentDeletionCode="L"))

    assert commands(rejected) == []
    assert commands(rejected, KnownOrder(1, "cancelled")) == []
    (cancel,) = commands(rejected, KnownOrder(1, "open"))
    assert cancel == CancelPurchaseOrder("4500000200", "rejected in SAP")
    assert commands(deleted_items, KnownOrder(2, "open")) == [
        CancelPurchaseOrder("4500000200", "deleted in SAP")
    ]


def test_a_deleted_item_leaves_the_revision() -> None:
    (release,) = commands(order(item(), item("00020", PurchasingDocumentDeletionCode="L")))

    assert [line.line_number for line in release.lines] == [10]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"PurchaseOrderQuantityUnit": "BOX"},
         "A_PurchaseOrderItem,4500000200/00010 PurchaseOrderQuantityUnit: unknown unit of "
         "measure 'BOX'"),
        ({"OrderQuantity": "1e400"}, "A_PurchaseOrderItem,4500000200/00010 OrderQuantity:"),
        ({"OrderQuantity": "NaN"}, "OrderQuantity: must be a decimal, not 'NaN'"),
        ({"Material": ""}, "A_PurchaseOrderItem,4500000200/00010 Material: is required"),
        ({"PurchaseOrderItem": "0"}, "PurchaseOrderItem: must be an item number from 1"),
        ({"NetPriceQuantity": "0"}, "NetPriceQuantity: must be positive"),
    ],
)  # fmt: skip
def test_a_bad_value_is_an_error_naming_the_sap_entity_key_and_property(
    changes: dict[str, Any], error: str
) -> None:
    with pytest.raises(ErpDataError) as found:
        commands(order(item(**changes)))

    assert error in str(found.value)


def test_a_supplier_is_its_business_partner_keyed_by_its_change_date() -> None:
    message = tr.supplier({
        "BusinessPartner": "1000015", "Supplier": "1000015",
        "BusinessPartnerFullName": "Sunrise Retail Group", "LastChangeDate": MARCH_1,
        "BusinessPartnerIsBlocked": True,
    }, "S4H/100")  # fmt: skip

    assert message.command == UpsertSupplier(
        "1000015", "Sunrise Retail Group", erp_id="1000015", status="blocked"
    )
    assert message.message_id == "sap:S4H/100:bp:1000015:20270301:blocked"


def test_a_material_document_is_one_receipt_per_po_and_a_reversal_none() -> None:
    header = {
        "MaterialDocument": "4900000007", "MaterialDocumentYear": "2027", "PostingDate": MARCH_1,
        "to_MaterialDocumentItem": {"results": [
            {"MaterialDocumentItem": "0001", "PurchaseOrder": "4500000200",
             "PurchaseOrderItem": "00010", "GoodsMovementType": "101",
             "QuantityInEntryUnit": "6.000"},
            {"MaterialDocumentItem": "0002", "PurchaseOrder": "4500000200",
             "PurchaseOrderItem": "00020", "GoodsMovementType": "102",
             "QuantityInEntryUnit": "1.000"},
        ]},
    }  # fmt: skip

    (message,) = tr.goods_receipts(header, "S4H/100")

    receipt = message.command
    assert isinstance(receipt, PostGoodsReceipt)
    assert (receipt.receipt_number, receipt.po_number, receipt.received_on) == (
        "SAP-2027-4900000007-4500000200", "4500000200", date(2027, 3, 1),
    )  # fmt: skip
    assert [(x.line_number, x.accepted) for x in receipt.lines] == [(10, Decimal(6))]
    assert message.message_id == "sap:S4H/100:matdoc:2027/4900000007:4500000200"


def test_the_acknowledgement_is_an_ordrsp_idoc_naming_the_po_its_items_and_dates() -> None:
    ack = Acknowledgement("4500000200", 1, "SO-77", (LineDate(10, date(2027, 3, 18)),), True)

    idoc = ordrsp(ack, order().order, "SUPPLYHUB")

    assert "<MESTYP>ORDRSP</MESTYP>" in idoc and "<IDOCTYP>ORDERS05</IDOCTYP>" in idoc
    assert '<E1EDK01 SEGMENT="1"><BELNR>SO-77</BELNR></E1EDK01>' in idoc
    assert '<E1EDK02 SEGMENT="1"><QUALF>001</QUALF><BELNR>4500000200</BELNR>' in idoc
    assert "<POSEX>00010</POSEX><MENEE>PC</MENEE><E1EDP20 SEGMENT=\"1\"><WMENG>213.000</WMENG>" \
           "<EDATU>20270318</EDATU>" in idoc  # fmt: skip


def test_an_acknowledgement_for_an_item_sap_does_not_have_is_a_refusal() -> None:
    ack = Acknowledgement("4500000200", 1, "SO-77", (LineDate(30, date(2027, 3, 18)),), True)

    with pytest.raises(ErpRefusedError, match="has no item 00030 in SAP"):
        ordrsp(ack, order().order, "SUPPLYHUB")


def test_saps_error_envelope_gives_its_code_and_message() -> None:
    body = b'{"error":{"code":"/IWBEP/CX_MGW_BUSI_EXCEPTION","message":{"lang":"en",' \
           b'"value":"Document is locked by user MOCKUSER"}}}'  # fmt: skip

    assert error_of(body) == ("/IWBEP/CX_MGW_BUSI_EXCEPTION", "Document is locked by user MOCKUSER")
    assert error_of(b"<html>Bad gateway</html>") == ("", "<html>Bad gateway</html>")


def test_the_cursor_survives_its_text_form() -> None:
    stamp = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    cursor = SapCursor(Window(stamp, frozenset({"1000015@2026-12-04T00:00:00+00:00"})),
                       Window(None, frozenset({"4500000200@0a1b"})), Window())  # fmt: skip

    assert load_cursor(dump_cursor(cursor)) == cursor
    assert load_cursor("") == SapCursor()
