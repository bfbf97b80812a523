"""Write-backs to Tryton 8.2: where Tryton lets the supplier's answer land in each PO state.

- `quotation`: the purchase's `reference` and each line's delivery date
  (`delivery_date_edit` + `delivery_date`), then `confirm` if the supplier accepted every line
  as ordered.
- `confirmed` / `processing`: the lines are read-only; the dates go to the line's draft
  stock moves (`planned_date`), the reference to the purchase (still writable).
- any other state, or another revision than the one answered: an `ErpRefusedError`.
- a quantity or price change agreed in the hub: a `purchase.amendment` (every line field
  given, raw RPC has no on_change), then `validate_amendment` with the purchase's
  `_timestamp`; Tryton decides whether the purchase takes one (`purchase_amendment` takes
  them while `processing` or `done`) and its refusal is the buyer's case with its message.
  Tryton's revision moves on, which the next pull brings back as the hub's next revision.

Idempotent by reading Tryton's state first: each write is made only when Tryton holds a
different value, and `confirm` only while the purchase is in `quotation`; so a write-back
repeated after a crash writes nothing twice. Every write carries the record's `_timestamp`
(optimistic locking): a record changed in the meantime is read again, a few times, then the
write-back is retried later (`ErpBusyError`). A `UserWarning` is acknowledged through
`res.user.warning` and the call made once more; a second warning is a refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from connectors.erp.seam import Acknowledgement, ErpBusyError, ErpRefusedError, LineChange
from connectors.erp.tryton.rpc import (
    TrytonClient,
    TrytonConcurrencyError,
    TrytonUserError,
    TrytonWarningError,
)
from connectors.erp.tryton.translate import LINE, PURCHASE

MOVE: Final = "stock.move"
AMENDMENT: Final = "purchase.amendment"
AMENDED_BY: Final = "supplyhub: a change agreed with the supplier"
ATTEMPTS: Final = 3  # reads of a record that keeps changing under the write-back


class TrytonWriteBack:
    """`ErpWriteBack` for one Tryton database, over a logged-in client."""

    def __init__(self, client: TrytonClient) -> None:
        self.client = client

    def acknowledge(self, ack: Acknowledgement) -> str:
        for _ in range(ATTEMPTS):
            try:
                return self._acknowledge(ack)
            except TrytonConcurrencyError:
                continue  # read the record and its _timestamp again
            except TrytonUserError as refused:  # AccessError included
                raise ErpRefusedError(str(refused)) from None
        raise ErpBusyError(f"{ack.po_number} kept changing in Tryton during the write-back")

    def amend(
        self, po_number: str, changes: Sequence[LineChange], *, revision: int | None = None
    ) -> str:
        """Unlike a date, an amendment on a purchase the buyer keeps changing (its
        `_timestamp` stale at every one of `ATTEMPTS` reads) is the buyer's to sort out: a
        refusal carrying Tryton's message, not a retry."""
        for _ in range(ATTEMPTS):
            try:
                return self._amend(po_number, changes, revision)
            except TrytonConcurrencyError as locked:
                stale = locked  # the buyer changed the purchase meanwhile: read it again
            except TrytonUserError as refused:  # AccessError included
                raise ErpRefusedError(str(refused)) from None
        raise ErpRefusedError(f"{po_number} kept changing in Tryton: {stale}")

    def _amend(self, po_number: str, changes: Sequence[LineChange], revision: int | None) -> str:
        """A validated `purchase.amendment` for the lines Tryton does not hold as agreed;
        nothing when it already does (a replay after a crash, or the buyer did it)."""
        purchase = self._purchase(po_number)
        wanted = {change.line_number: change for change in changes}
        if unknown := set(wanted) - set(purchase["lines"]):
            raise ErpRefusedError(f"{po_number} in Tryton has no line {sorted(unknown)}")
        fields = ["product", "unit", "unit_price", "description", "quantity"]
        lines = self.client.call_model(LINE, "read", sorted(wanted), fields)
        differing = [line for line in lines if _differs(line, wanted[line["id"]])]
        if not differing:
            return "unchanged"
        if revision is not None and purchase["revision"] != revision - 1:
            raise ErpRefusedError(
                f"{po_number} is at revision {purchase['revision']} in Tryton; the change was "
                f"agreed on revision {revision - 1}"
            )
        self._drop_unvalidated(purchase)
        amended = [_amendment_line(line, wanted[line["id"]]) for line in differing]
        (amendment,) = self._call(AMENDMENT, "create", [
            {"purchase": purchase["id"], "description": AMENDED_BY, "lines": [["create", amended]]}
        ])  # fmt: skip
        stamp = {f"{PURCHASE},{purchase['id']}": purchase["_timestamp"]}
        self._call(AMENDMENT, "validate_amendment", [amendment], context={"_timestamp": stamp})
        return "amended"

    def _drop_unvalidated(self, purchase: dict[str, Any]) -> None:
        """An amendment of ours left in draft (the process stopped between create and
        validate) is deleted, so a replay makes one amendment, not two."""
        left = self.client.call_model(AMENDMENT, "search", [
            ["purchase", "=", purchase["id"]], ["state", "=", "draft"],
            ["description", "=", AMENDED_BY],
        ])  # fmt: skip
        if left:
            self._call(AMENDMENT, "delete", left)

    def _acknowledge(self, ack: Acknowledgement) -> str:
        purchase = self._purchase(ack.po_number)
        tryton_revision = ack.revision - 1  # Tryton counts revisions from 0, the hub from 1
        if purchase["revision"] != tryton_revision:
            raise ErpRefusedError(
                f"{ack.po_number} is at revision {purchase['revision']} in Tryton; the "
                f"supplier answered revision {tryton_revision}"
            )
        state = purchase["state"]
        if state == "quotation":
            done = self._lines(purchase, ack)
            done += self._reference(purchase, ack)
            if ack.confirm:
                self._call(PURCHASE, "confirm", [purchase["id"]])
                done.append("confirmed")
        elif state in ("confirmed", "processing"):
            done = self._moves(purchase, ack)
            done += self._reference(purchase, ack)
        else:
            raise ErpRefusedError(f"{ack.po_number} is {state} in Tryton: it takes no answer")
        return ", ".join(done) or "unchanged"

    def _purchase(self, number: str) -> dict[str, Any]:
        found = self.client.call_model(
            PURCHASE, "search_read", [["number", "=", number]], 0, 2, None,
            ["number", "state", "revision", "reference", "lines", "_timestamp"],
        )  # fmt: skip
        if len(found) != 1:
            raise ErpRefusedError(f"Tryton has {len(found)} purchases numbered {number}")
        return dict(found[0])

    def _reference(self, purchase: dict[str, Any], ack: Acknowledgement) -> list[str]:
        if not ack.reference or purchase.get("reference") == ack.reference:
            return []
        self._write(PURCHASE, purchase, {"reference": ack.reference})
        return ["reference"]

    def _lines(self, purchase: dict[str, Any], ack: Acknowledgement) -> list[str]:
        """In quotation: the confirmed dates on the lines themselves."""
        wanted = self._dates(purchase, ack)
        if not wanted:
            return []
        fields = ["delivery_date", "_timestamp"]
        lines = self.client.call_model(LINE, "read", sorted(wanted), fields)
        changed = [line for line in lines if line["delivery_date"] != wanted[line["id"]]]
        for line in changed:
            self._write(
                LINE, line, {"delivery_date_edit": True, "delivery_date": wanted[line["id"]]}
            )
        return ["line dates"] if changed else []

    def _moves(self, purchase: dict[str, Any], ack: Acknowledgement) -> list[str]:
        """After confirmation: the confirmed dates on the lines' draft (not yet received) moves."""
        wanted = self._dates(purchase, ack)
        if not wanted:
            return []
        origins = [f"{LINE},{line_id}" for line_id in sorted(wanted)]
        moves = self.client.call_model(
            MOVE, "search_read", [["origin", "in", origins], ["state", "=", "draft"]], 0, None,
            [["id", "ASC"]], ["origin", "planned_date", "_timestamp"],
        )  # fmt: skip
        changed = []
        for move in moves:
            date = wanted[int(str(move["origin"]).rsplit(",", 1)[1])]
            if move["planned_date"] != date:
                self._write(MOVE, move, {"planned_date": date})
                changed.append(move)
        return ["move dates"] if changed else []

    def _dates(self, purchase: dict[str, Any], ack: Acknowledgement) -> dict[int, Any]:
        """Line id -> date; a line not on the purchase is a refusal, never a write elsewhere
        (the hub's line number is the Tryton line's id, connectors/erp/tryton/translate.py)."""
        wanted = {d.line_number: d.delivery_date for d in ack.dates}
        if unknown := set(wanted) - set(purchase["lines"]):
            raise ErpRefusedError(f"{ack.po_number} in Tryton has no line {sorted(unknown)}")
        return wanted

    def _write(self, model: str, record: dict[str, Any], values: dict[str, Any]) -> None:
        stamp = {f"{model},{record['id']}": record["_timestamp"]}
        self._call(model, "write", [record["id"]], values, context={"_timestamp": stamp})

    def _call(
        self, model: str, method: str, *args: Any, context: dict[str, Any] | None = None
    ) -> Any:
        """A model call; a UserWarning is acknowledged once and the call made again."""
        full = {**self.client.context, **(context or {})}
        try:
            return self.client.call(f"model.{model}.{method}", *args, full)
        except TrytonWarningError as warning:
            self.client.call_model(
                "res.user.warning", "create",
                [{"user": self.client.user_id, "name": warning.name, "always": False}],
            )  # fmt: skip
        try:
            return self.client.call(f"model.{model}.{method}", *args, full)
        except TrytonWarningError as again:
            raise ErpRefusedError(f"Tryton warned again once acknowledged: {again}") from None


def _differs(line: dict[str, Any], change: LineChange) -> bool:
    return (change.quantity is not None and Decimal(line["quantity"]) != change.quantity) or (
        change.unit_price is not None and Decimal(line["unit_price"]) != change.unit_price
    )


def _amendment_line(line: dict[str, Any], change: LineChange) -> dict[str, Any]:
    """Every field of the line (raw RPC has no on_change to fill them), the agreed ones new."""
    quantity = change.quantity if change.quantity is not None else Decimal(line["quantity"])
    price = change.unit_price if change.unit_price is not None else line["unit_price"]
    return {
        "action": "line", "line": line["id"], "product": line["product"], "unit": line["unit"],
        "quantity": float(quantity), "unit_price": price, "description": line["description"],
    }  # fmt: skip
