"""One pull from SAP into the hub: suppliers, purchase orders, goods receipts changed since a
cursor, translated and applied. A thin loop; the cursor is the caller's to keep.

Each of the three reads is a `Window`: `since` (the newest change stamp handled) and `seen`
(the versions handled inside the look-back window). A read asks for `stamp >= since -
lookback`, skips the versions in `seen`, and moves `since` to the newest stamp it handled;
a record that failed (untranslatable, or refused by the hub) keeps `since` at its stamp and
stays out of `seen`, so it is read again next time. docs/erp.md gives the proof.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from eventsourcing.application import AggregateNotFoundError

from connectors.erp.hub import Clock, HubOrdersOf, apply
from connectors.erp.sap import translate as tr
from connectors.erp.sap.odata import SapClient
from connectors.erp.seam import ErpDataError, ErpMessage
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.order_line import OrderLine
from domain.purchase_order import PurchaseOrder
from domain.supplier import Supplier

PURCHASE_ORDERS: Final = "API_PURCHASEORDER_PROCESS_SRV"
MATERIAL_DOCUMENTS: Final = "API_MATERIAL_DOCUMENT_SRV"
BUSINESS_PARTNERS: Final = "API_BUSINESS_PARTNER"  # its technical name, API_BUSINESS_PARTNER_SRV
# A2X stamps: the partner's change date is a day (LastChangeDate), so the window is a day; a
# PO's LastChangeDateTime is exact to the second; a material document is dated by its
# posting date, which a user may set back within the open posting period (about a month).
PARTNER_LOOKBACK: Final = timedelta(days=1)
ORDER_LOOKBACK: Final = timedelta(minutes=5)
RECEIPT_LOOKBACK: Final = timedelta(days=31)
_NEVER: Final = datetime.min.replace(tzinfo=UTC)  # the stamp of a record that has none


@dataclass(frozen=True)
class Window:
    since: datetime | None = None
    seen: frozenset[str] = frozenset()  # "key@stamp" (or "key@version" with no stamp)


@dataclass(frozen=True)
class SapCursor:
    partners: Window = Window()
    orders: Window = Window()
    receipts: Window = Window()


@dataclass(frozen=True)
class SapSource:
    """Where the pull reads from and how it names what it read (`system`: the SAP system
    and client, the namespace of the adapter's idempotency keys)."""

    client: SapClient
    system: str
    lead_days: int = 14  # need-by = PO date + this, for an item without schedule lines
    page_size: int = 500

    @property
    def actor(self) -> str:
        return f"sap:{self.system}"


@dataclass(frozen=True)
class PullReport:
    cursor: SapCursor
    changed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()  # what could not be translated or was refused, for last_error


@dataclass
class _Pass:
    """One window's read in progress: what it handled and what it must read again."""

    window: Window
    lookback: timedelta
    handled: set[str] = field(default_factory=set)
    newest: datetime | None = None
    oldest_failed: datetime | None = None

    def skip(self, key: str) -> bool:
        return key in self.window.seen

    def done(self, key: str, stamp: datetime | None) -> None:
        self.handled.add(key)
        if stamp is not None and (self.newest is None or stamp > self.newest):
            self.newest = stamp

    def failed(self, stamp: datetime | None) -> None:
        if stamp is not None and (self.oldest_failed is None or stamp < self.oldest_failed):
            self.oldest_failed = stamp

    def since_filter(self) -> datetime | None:
        return None if self.window.since is None else self.window.since - self.lookback

    def result(self, stamped: bool) -> Window:
        if not stamped:  # read whole every time: `seen` is this pass's versions, nothing older
            return Window(None, frozenset(self.handled))
        since = self.window.since
        if self.newest is not None and (since is None or self.newest > since):
            since = self.newest
        if self.oldest_failed is not None and (since is None or self.oldest_failed < since):
            since = self.oldest_failed
        floor = None if since is None else since - self.lookback
        kept = {
            k for k in self.window.seen | self.handled if floor is None or _stamp_of(k) >= floor
        }
        return Window(since, frozenset(kept))


def _stamp_of(key: str) -> datetime:
    try:
        return datetime.fromisoformat(key.rsplit("@", 1)[1])
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def pull_once(
    source: SapSource, hub: SupplyHub, cursor: SapCursor, clock: Clock = _now
) -> PullReport:
    changed: list[str] = []
    failed: list[str] = []
    partners = _pull_partners(source, hub, cursor.partners, clock, changed, failed)
    orders = _pull_orders(source, hub, cursor.orders, clock, changed, failed)
    receipts = _pull_receipts(source, hub, cursor.receipts, clock, changed, failed)
    return PullReport(SapCursor(partners, orders, receipts), tuple(changed), tuple(failed))


def _apply(
    source: SapSource, hub: SupplyHub, messages: Iterable[ErpMessage], clock: Clock,
    changed: list[str],
) -> None:  # fmt: skip
    for outcome in apply(hub, list(messages), source.actor, clock):
        if not outcome.replayed and outcome.status != "unchanged":
            changed.append(outcome.document)


def _pull_partners(
    source: SapSource, hub: SupplyHub, window: Window, clock: Clock, changed: list[str],
    failed: list[str],
) -> Window:  # fmt: skip
    run = _Pass(window, PARTNER_LOOKBACK)
    query = "Supplier ne ''"
    if (since := run.since_filter()) is not None:
        query += f" and LastChangeDate ge {tr.odata_datetime(since)}"
    params = {"$filter": query, "$orderby": "BusinessPartner"}
    for partner in source.client.collection(
        BUSINESS_PARTNERS + "_SRV", "A_BusinessPartner", params, page_size=source.page_size
    ):
        stamp = _stamp(partner, "LastChangeDate") or _stamp(partner, "CreationDate")
        key = f"{partner.get('BusinessPartner')}@{(stamp or _NEVER).isoformat()}"
        if run.skip(key):
            continue
        try:
            _apply(source, hub, [tr.supplier(partner, source.system)], clock, changed)
        except (ErpDataError, DomainError) as problem:
            failed.append(f"{tr.PARTNER},{partner.get('BusinessPartner')}: {problem}")
            run.failed(stamp)
            continue
        run.done(key, stamp)
    return run.result(stamped=True)


def _pull_orders(
    source: SapSource, hub: SupplyHub, window: Window, clock: Clock, changed: list[str],
    failed: list[str],
) -> Window:  # fmt: skip
    """A real S/4HANA stamps `LastChangeDateTime` on the PO and is read by it; mock-sap's PO
    has no change stamp, so it is read whole each time and each PO's version is its content
    (skipped when `seen` holds it: one read, no write)."""
    stamped = _has_property(source.client, PURCHASE_ORDERS, "A_PurchaseOrderType",
                            "LastChangeDateTime")  # fmt: skip
    run = _Pass(window, ORDER_LOOKBACK)
    params = {"$expand": "to_PurchaseOrderItem", "$orderby": "PurchaseOrder"}
    if stamped and (since := run.since_filter()) is not None:
        params["$filter"] = (
            f"LastChangeDateTime ge datetimeoffset'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        )
    orders = HubOrdersOf(hub)
    for order in source.client.collection(
        PURCHASE_ORDERS, "A_PurchaseOrder", params, page_size=source.page_size
    ):
        record = tr.PurchaseOrderRecord(order)
        stamp = _stamp(order, "LastChangeDateTime") if stamped else None
        try:
            key = f"{record.number}@{stamp.isoformat() if stamp else _content_key(order)}"
            if run.skip(key):
                run.done(key, stamp)
                continue
            messages = tr.purchase_order(
                record, orders.known_order(record.number), held_lines(hub, record.number),
                source.system, source.lead_days,
            )  # fmt: skip
            supplier = order.get("Supplier")
            if messages and supplier and _supplier_unknown(hub, str(supplier)):
                messages = [*_partner_of(source, str(supplier)), *messages]
            _apply(source, hub, messages, clock, changed)
        except (ErpDataError, DomainError) as problem:
            failed.append(f"{tr.PO},{record.number}: {problem}")
            run.failed(stamp)
            continue
        run.done(key, stamp)
    return run.result(stamped)


def _pull_receipts(
    source: SapSource, hub: SupplyHub, window: Window, clock: Clock, changed: list[str],
    failed: list[str],
) -> Window:  # fmt: skip
    run = _Pass(window, RECEIPT_LOOKBACK)
    params = {"$expand": "to_MaterialDocumentItem",
              "$orderby": "MaterialDocumentYear,MaterialDocument"}  # fmt: skip
    if (since := run.since_filter()) is not None:
        params["$filter"] = f"PostingDate ge {tr.odata_datetime(since)}"
    for header in source.client.collection(
        MATERIAL_DOCUMENTS, "A_MaterialDocumentHeader", params, page_size=source.page_size
    ):
        stamp = _stamp(header, "PostingDate")
        name = f"{header.get('MaterialDocumentYear')}/{header.get('MaterialDocument')}"
        key = f"{name}@{(stamp or _NEVER).isoformat()}"
        if run.skip(key):
            continue
        try:
            _apply(source, hub, tr.goods_receipts(header, source.system), clock, changed)
        except (ErpDataError, DomainError) as problem:
            failed.append(f"{tr.MATDOC},{name}: {problem}")
            run.failed(stamp)
            continue
        run.done(key, stamp)
    return run.result(stamped=True)


def held_lines(hub: SupplyHub, po_number: str) -> tuple[OrderLine, ...]:
    """The lines of the hub's current revision, read from its log (not a view that may lag)."""
    try:
        po: Any = hub.repository.get(PurchaseOrder.create_id(po_number))
    except AggregateNotFoundError:
        return ()
    lines: Mapping[int, OrderLine] = po.lines
    return tuple(lines.values())


def _supplier_unknown(hub: SupplyHub, code: str) -> bool:
    try:
        hub.repository.get(Supplier.create_id(code))
    except AggregateNotFoundError:
        return True
    return False


def _partner_of(source: SapSource, supplier: str) -> list[ErpMessage]:
    """The PO's supplier, read now: it was created after the partners were read this round."""
    quoted = supplier.replace("'", "''")
    params = {"$filter": f"Supplier eq '{quoted}'"}
    found = list(source.client.collection(BUSINESS_PARTNERS + "_SRV", "A_BusinessPartner", params))
    return [tr.supplier(found[0], source.system)] if found else []


def _content_key(order: Mapping[str, Any]) -> str:
    """A version for an entity with no change stamp: a digest of what was read (the
    `__metadata` links, which name the server, left out)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in sorted(value.items()) if k != "__metadata"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    text = json.dumps(strip(dict(order)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _stamp(record: Mapping[str, Any], name: str) -> datetime | None:
    try:
        return tr.parse_date(record.get(name))
    except ValueError:
        return None


def _has_property(client: SapClient, service: str, entity_type: str, name: str) -> bool:
    """Whether the service's `$metadata` declares the property on the entity type."""
    text = client.metadata(service)
    start = text.find(f'Name="{entity_type}"')
    if start < 0:
        return False
    end = text.find("</EntityType>", start)
    return f'Name="{name}"' in text[start:end]
