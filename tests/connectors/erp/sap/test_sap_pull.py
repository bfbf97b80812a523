"""The pull's window over SAP's change stamps, with a small stand-in for the OData client (the
collections a real S/4HANA would return for each filter): what it asks, what it skips, and
that a record it could not take is read again until it is fixed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from connectors.erp.hub import HubOrdersOf
from connectors.erp.sap.odata import SapClient
from connectors.erp.sap.pull import ORDER_LOOKBACK, SapCursor, SapSource, pull_once
from connectors.erp.seam import KnownOrder
from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings

CHANGED = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def odata_date(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)})/"


class StampedSap:
    """An S/4HANA whose PO declares `LastChangeDateTime`; it answers each collection with
    what it holds and records the `$filter` it was asked."""

    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.filters: list[str] = []

    def metadata(self, service: str) -> str:
        return '<EntityType Name="A_PurchaseOrderType"><Property Name="LastChangeDateTime"/>'

    def collection(
        self, service: str, entity_set: str, params: Mapping[str, str], *, page_size: int = 500
    ) -> Iterator[Mapping[str, Any]]:
        if entity_set == "A_PurchaseOrder":
            self.filters.append(params.get("$filter", ""))
            yield from self.orders
        elif entity_set == "A_BusinessPartner":
            changed = odata_date(CHANGED)
            yield {"BusinessPartner": "1000015", "Supplier": "1000015",
                   "BusinessPartnerFullName": "Sunrise", "LastChangeDate": changed}  # fmt: skip

    def add(self, number: str, unit: str = "PC", changed: datetime = CHANGED) -> None:
        self.orders = [o for o in self.orders if o["PurchaseOrder"] != number]
        self.orders.append({
            "PurchaseOrder": number, "Supplier": "1000015", "DocumentCurrency": "EUR",
            "PurchaseOrderDate": odata_date(CHANGED), "PurchasingProcessingStatus": "02",
            "LastChangeDateTime": odata_date(changed),
            "to_PurchaseOrderItem": {"results": [{
                "PurchaseOrderItem": "00010", "Material": "TG14", "Plant": "1710",
                "OrderQuantity": "5", "PurchaseOrderQuantityUnit": unit,
                "NetPriceAmount": "2.00", "NetPriceQuantity": "1",
            }]},
        })  # fmt: skip


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[SupplyHub]:
    app = open_hub(Settings(data_dir=tmp_path))
    yield app
    app.close()


def pull(sap: StampedSap, hub: SupplyHub, cursor: SapCursor) -> Any:
    return pull_once(SapSource(cast("SapClient", sap), "S4H/100"), hub, cursor)


def test_the_next_read_asks_from_the_newest_stamp_less_the_look_back(hub: SupplyHub) -> None:
    sap = StampedSap()
    sap.add("4500000300")

    first = pull(sap, hub, SapCursor())
    pull(sap, hub, first.cursor)

    since = CHANGED - ORDER_LOOKBACK
    assert sap.filters == ["", f"LastChangeDateTime ge datetimeoffset'{since:%Y-%m-%dT%H:%M:%SZ}'"]
    assert first.cursor.orders.since == CHANGED


def test_a_version_read_again_inside_the_window_is_skipped_and_writes_nothing(
    hub: SupplyHub,
) -> None:
    sap = StampedSap()
    sap.add("4500000301")
    first = pull(sap, hub, SapCursor())
    position = hub.recorder.max_notification_id()

    again = pull(sap, hub, first.cursor)

    assert again.changed == () and hub.recorder.max_notification_id() == position


def test_a_po_sap_sent_with_an_unknown_unit_is_read_again_until_it_is_fixed(
    hub: SupplyHub,
) -> None:
    sap = StampedSap()
    sap.add("4500000302", unit="BOX", changed=CHANGED)
    sap.add("4500000303", changed=CHANGED + timedelta(minutes=30))

    broken = pull(sap, hub, SapCursor())
    assert broken.failed == (
        "A_PurchaseOrder,4500000302: A_PurchaseOrderItem,4500000302/00010 "
        "PurchaseOrderQuantityUnit: unknown unit of measure 'BOX'",
    )
    assert broken.cursor.orders.since == CHANGED  # held at the failed stamp, not 30 min later

    sap.add("4500000302", unit="PC", changed=CHANGED)  # fixed in SAP (same stamp, for the test)
    fixed = pull(sap, hub, broken.cursor)

    assert fixed.failed == () and "po:4500000302" in fixed.changed
    assert "po:4500000303" not in fixed.changed  # handled once, in the first read
    assert HubOrdersOf(hub).known_order("4500000302") == KnownOrder(1, "open")
    assert fixed.cursor.orders.since == CHANGED + timedelta(minutes=30)
