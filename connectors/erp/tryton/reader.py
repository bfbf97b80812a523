"""Reading Tryton purchases changed since a cursor: a look-back window and dedupe.

Tryton stamps `create_date` / `write_date` with the time its transaction started, so a
transaction that commits late can commit a row stamped before rows already read. Each read
therefore goes back `lookback` before the newest stamp read so far, and skips the versions
it already handled, keyed by (model, id, stamp). Nothing is lost as long as no Tryton
transaction writing purchases lasts longer than `lookback` (docs/erp.md has the argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from connectors.erp.seam import Changes, ErpDataError, ErpMessage, HubOrders
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.translate import LINE, PARTY, PURCHASE, PurchaseRecord, translate

LOOKBACK: Final = timedelta(minutes=5)
PAGE_SIZE: Final = 200

PURCHASE_FIELDS: Final = (
    "number", "revision", "state", "party", "currency.code", "warehouse.code", "delivery_date",
    "write_date", "create_date",
)  # fmt: skip
LINE_FIELDS: Final = (
    "purchase", "type", "product.code", "quantity", "unit.symbol", "unit_price", "delivery_date",
    "description",
)  # fmt: skip
PARTY_FIELDS: Final = ("code", "name", "write_date", "create_date")

Key = tuple[str, int, datetime]  # (model, id, stamp): one version of one record


@dataclass(frozen=True)
class TrytonCursor:
    """`since`: the newest stamp handled; `seen`: the versions handled within the window."""

    since: datetime | None = None
    seen: frozenset[Key] = field(default_factory=frozenset)


def stamp(record: dict[str, Any]) -> datetime:
    found = record.get("write_date") or record.get("create_date")
    if not isinstance(found, datetime):
        raise ErpDataError(PURCHASE, record.get("id"), "write_date", "no create or write date")
    return found


def advanced(
    cursor: TrytonCursor, done: Iterable[Key], held: Iterable[datetime], lookback: timedelta
) -> TrytonCursor:
    """The cursor after handling `done`; a record that failed (its stamp in `held`) keeps the
    window open at its stamp, so it is read again until it goes through."""
    seen = cursor.seen | frozenset(done)
    stamps = [key[2] for key in seen]
    if not stamps:
        return cursor
    since = max(stamps) if cursor.since is None else max(cursor.since, *stamps)
    since = min([since, *held])
    return TrytonCursor(since, frozenset(k for k in seen if k[2] >= since - lookback))


class TrytonChanges:
    """`ErpChanges` for one Tryton database, over a logged-in client."""

    def __init__(
        self, client: TrytonClient, lookback: timedelta = LOOKBACK, page_size: int = PAGE_SIZE
    ) -> None:
        self.client = client
        self.lookback = lookback
        self.page_size = page_size

    def purchase_orders(self, cursor: TrytonCursor, orders: HubOrders) -> Changes[TrytonCursor]:
        messages: list[ErpMessage] = []
        failed: list[ErpDataError] = []
        done: list[Key] = []
        held: list[datetime] = []
        for record in self.changed_purchases(cursor):
            key = (PURCHASE, record.id, stamp(dict(record.purchase)))
            try:
                number = record.purchase.get("number")
                known = orders.known_order(number) if isinstance(number, str) else None
                messages += translate(record, known, self.client.database)
            except ErpDataError as error:
                failed.append(error)
                held.append(key[2])
            else:
                done.append(key)
        return Changes(messages, advanced(cursor, done, held, self.lookback), failed)

    def changed_purchases(self, cursor: TrytonCursor) -> list[PurchaseRecord]:
        """The purchases written since the window opened, minus the versions already seen."""
        fresh = [
            p
            for p in self._search(PURCHASE, self._since(cursor), PURCHASE_FIELDS)
            if (PURCHASE, p["id"], stamp(p)) not in cursor.seen
        ]
        if not fresh:
            return []
        ids = [p["id"] for p in fresh]
        lines: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for line in self._search(LINE, [["purchase", "in", ids]], LINE_FIELDS):
            lines[line["purchase"]].append(line)
        party_ids = sorted({p["party"] for p in fresh})
        parties = {
            p["id"]: p for p in self.client.call_model(PARTY, "read", party_ids, PARTY_FIELDS)
        }
        return [
            PurchaseRecord(p, tuple(lines[p["id"]]), parties[p["party"]])
            for p in sorted(fresh, key=stamp)
        ]

    def _since(self, cursor: TrytonCursor) -> list[Any]:
        return window(cursor, self.lookback)

    def _search(self, model: str, domain: list[Any], fields: Sequence[str]) -> list[dict[str, Any]]:
        return search_all(self.client, model, domain, fields, self.page_size)


def window(cursor: TrytonCursor, lookback: timedelta) -> list[Any]:
    """The domain of the records written since the window opened (all, for a new cursor)."""
    if cursor.since is None:
        return []
    start = cursor.since - lookback
    return [["OR", ["write_date", ">=", start], ["create_date", ">=", start]]]


def search_all(
    client: TrytonClient, model: str, domain: list[Any], fields: Sequence[str],
    page_size: int = PAGE_SIZE,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every match, a page at a time, in id order (new rows land after the last page)."""
    found: list[dict[str, Any]] = []
    while True:
        page = client.call_model(
            model, "search_read", domain, len(found), page_size, [["id", "ASC"]], list(fields)
        )
        found += page
        if len(page) < page_size:
            return found
