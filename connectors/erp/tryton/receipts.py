"""Goods receipts from Tryton: each `stock.move` from a purchase line that is `done` becomes a
`PostGoodsReceipt` against that PO line, idempotent by the Tryton move id.

A move is done when its shipment (`stock.shipment.in`) is done, so a partial delivery is a
done move for the quantity received (Tryton creates a new draft move for the rest); each
move is one receipt, `tryton-move-<id>`, whose message id names the move, so reading it
again (the look-back window, a replay) writes nothing. The cursor is the purchases' kind
(`reader.TrytonCursor`): a look-back window over `write_date`, deduped by (model, id, stamp).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from connectors.erp.hub import Clock, apply
from connectors.erp.seam import ErpDataError, ErpMessage
from connectors.erp.tryton.reader import (
    LOOKBACK,
    Key,
    TrytonCursor,
    advanced,
    search_all,
    stamp,
    window,
)
from connectors.erp.tryton.rpc import TrytonClient
from connectors.erp.tryton.translate import LINE, _limit, _plain
from domain import limits
from domain.application import SupplyHub
from domain.commands import PostGoodsReceipt
from domain.errors import DomainError
from domain.goods_receipt import ReceiptLine

MOVE: Final = "stock.move"
MOVE_FIELDS: Final = ("origin", "quantity", "state", "effective_date", "write_date", "create_date")


@dataclass(frozen=True)
class ReceiptReport:
    cursor: TrytonCursor
    changed: Sequence[str] = ()
    failed: Sequence[str] = ()  # moves the hub or the translation refused (read again)


def receipt_message(move: dict[str, Any], po_number: str, database: str) -> ErpMessage:
    """Pure: one done move from a purchase line -> one goods receipt against that line."""
    move_id = move["id"]
    origin = str(move.get("origin") or "")
    if not origin.startswith(f"{LINE},"):
        raise ErpDataError(MOVE, move_id, "origin", "is not a purchase line")
    line_id = int(origin.split(",", 1)[1])
    received_on = move.get("effective_date")
    if type(received_on) is not date:
        raise ErpDataError(MOVE, move_id, "effective_date", "is required on a done move")
    found = move.get("quantity")
    if not isinstance(found, (int, Decimal)) or isinstance(found, bool):
        raise ErpDataError(MOVE, move_id, "quantity", "must be a number")
    quantity = _plain(Decimal(found))
    if (broken := _limit(limits.QuantityOrZero).broken(quantity)) is not None:
        raise ErpDataError(MOVE, move_id, "quantity", broken)
    command = PostGoodsReceipt(
        f"tryton-move-{move_id}", po_number, received_on, (ReceiptLine(line_id, quantity),)
    )
    return ErpMessage(
        command,
        f"tryton:{database}:move:{move_id}:done",
        f"tryton:{database}:{MOVE},{move_id}@{stamp(move).isoformat()}",
    )


def pull_receipts(
    client: TrytonClient,
    hub: SupplyHub,
    cursor: TrytonCursor,
    actor: str,
    clock: Clock,
    lookback: timedelta = LOOKBACK,
) -> ReceiptReport:
    """Done moves since the cursor into the hub; one the hub refuses (its PO not pulled yet)
    keeps the window open at its stamp, so it is read again next time."""
    moves = [m for m in _done_moves(client, cursor, lookback) if _key(m) not in cursor.seen]
    numbers = _po_numbers(client, moves)
    done: list[Key] = []
    held = []
    changed: list[str] = []
    failed: list[str] = []
    for move in sorted(moves, key=stamp):
        try:
            message = receipt_message(move, numbers[move["origin"]], client.database)
            (outcome,) = apply(hub, [message], actor, clock)
        except (ErpDataError, DomainError) as refused:
            held.append(stamp(move))
            failed.append(f"{MOVE},{move['id']}: {refused}")
            continue
        done.append(_key(move))
        if not outcome.replayed:
            changed.append(outcome.document)
    return ReceiptReport(advanced(cursor, done, held, lookback), changed, failed)


def _key(move: dict[str, Any]) -> Key:
    return (MOVE, move["id"], stamp(move))


def _done_moves(
    client: TrytonClient, cursor: TrytonCursor, lookback: timedelta
) -> list[dict[str, Any]]:
    domain: list[Any] = [["origin", "like", f"{LINE},%"], ["state", "=", "done"]]
    return search_all(client, MOVE, domain + window(cursor, lookback), MOVE_FIELDS)


def _po_numbers(client: TrytonClient, moves: list[dict[str, Any]]) -> dict[str, str]:
    """`purchase.line,<id>` -> the purchase's number."""
    line_ids = sorted({int(str(m["origin"]).split(",", 1)[1]) for m in moves})
    if not line_ids:
        return {}
    lines = client.call_model(LINE, "read", line_ids, ["purchase.number"])
    return {f"{LINE},{line['id']}": line["purchase."]["number"] for line in lines}
