"""What a buyer does in Tryton, over plain JSON-RPC as any client would (no proteus)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from tryton_template import ACCOUNT_CATEGORY

from connectors.erp.tryton.rpc import TrytonClient, TrytonWarningError

_codes = itertools.count(1)
UNIT = "u"  # Tryton's "Unit", the hub's EA


def supplier(buyer: TrytonClient, name: str) -> dict[str, Any]:
    """A new supplier party with an address (a purchase needs an invoice address)."""
    (party_id,) = buyer.call_model(
        "party.party", "create", [{"name": name, "addresses": [["create", [{"street": "1 Main"}]]]}]
    )
    (party,) = buyer.call_model("party.party", "read", [party_id], ["code", "name", "addresses"])
    return dict(party)


def product(buyer: TrytonClient, code: str, unit: str = UNIT) -> int:
    """A purchasable product in `unit` (a product.uom symbol) with the template's category."""
    (category,) = buyer.call_model("product.category", "search", [["name", "=", ACCOUNT_CATEGORY]])
    (uom,) = buyer.call_model("product.uom", "search", [["symbol", "=", unit]])
    (template,) = buyer.call_model("product.template", "create", [{
        "name": f"Item {code}", "code": code, "type": "goods", "default_uom": uom,
        "purchase_uom": uom, "purchasable": True, "list_price": Decimal(1),
        "account_category": category, "products": [["create", [{}]]],
    }])  # fmt: skip
    (product_id,) = buyer.call_model("product.product", "search", [["template", "=", template]])
    return int(product_id)


def draft_purchase(
    buyer: TrytonClient,
    party: dict[str, Any],
    lines: list[tuple[int, Decimal, Decimal]],
    delivery: date,
) -> int:
    """A draft purchase of (product, quantity, unit price) lines, delivered on `delivery`."""
    (uom,) = buyer.call_model("product.uom", "search", [["symbol", "=", UNIT]])
    (purchase,) = buyer.call_model("purchase.purchase", "create", [{
        "party": party["id"], "invoice_address": party["addresses"][0], "delivery_date": delivery,
        "lines": [["create", [
            {"product": p, "quantity": float(q), "unit": uom, "unit_price": price}
            for p, q, price in lines
        ]]],
    }])  # fmt: skip
    return int(purchase)


def click(buyer: TrytonClient, purchase: int, button: str) -> None:
    """A purchase button: quote, draft (a new revision once quoted), confirm, cancel."""
    buyer.call_model("purchase.purchase", button, [purchase])


def read(buyer: TrytonClient, purchase: int, *fields: str) -> dict[str, Any]:
    (found,) = buyer.call_model("purchase.purchase", "read", [purchase], list(fields))
    return dict(found)


def set_line_quantity(buyer: TrytonClient, purchase: int, quantity: Decimal) -> None:
    """On a draft purchase: the first line's quantity."""
    line = read(buyer, purchase, "lines")["lines"][0]
    buyer.call_model("purchase.line", "write", [line], {"quantity": float(quantity)})


def new_code() -> str:
    return f"ITEM-{next(_codes):04d}"


def receive(buyer: TrytonClient, purchase: int, line: int, quantity: Decimal) -> int:
    """The warehouse receives `quantity` of a confirmed purchase's line (a shipment, received
    and done); Tryton leaves the rest as a new draft move. Returns the shipment's id."""
    found = read(buyer, purchase, "party", "warehouse")
    (move,) = buyer.call_model(
        "stock.move", "search", [["origin", "=", f"purchase.line,{line}"], ["state", "=", "draft"]]
    )
    buyer.call_model("stock.move", "write", [move], {"quantity": float(quantity)})
    (warehouse,) = buyer.call_model(
        "stock.location", "read", [found["warehouse"]], ["input_location", "storage_location"]
    )
    (shipment,) = buyer.call_model("stock.shipment.in", "create", [{
        "supplier": found["party"], "warehouse": found["warehouse"],
        "warehouse_input": warehouse["input_location"],
        "warehouse_storage": warehouse["storage_location"],
        "incoming_moves": [["add", [move]]],
    }])  # fmt: skip
    for button in ("receive", "do"):
        try:
            buyer.call_model("stock.shipment.in", button, [shipment])
        except TrytonWarningError as warning:  # e.g. more than ordered: the buyer says yes
            buyer.call_model("res.user.warning", "create", [
                {"user": buyer.user_id, "name": warning.name, "always": False}
            ])  # fmt: skip
            buyer.call_model("stock.shipment.in", button, [shipment])
    return int(shipment)


def post_invoice(buyer: TrytonClient, purchase: int, reference: str, on: date) -> int:
    """AP posts the purchase's draft supplier invoice (Tryton made it at confirmation, the
    default `invoice_method` being `order`) under the supplier's invoice number."""
    (invoice,) = read(buyer, purchase, "invoices")["invoices"]
    buyer.call_model("account.invoice", "write", [invoice], {"reference": reference,
                                                             "invoice_date": on})  # fmt: skip
    buyer.call_model("account.invoice", "post", [invoice])
    return int(invoice)


def pay_invoice(buyer: TrytonClient, invoice: int) -> None:
    """AP pays a posted supplier invoice in full in cash: the wizard `account.invoice.pay`,
    driven as the Tryton client drives it (its start view's defaults, then `choice`)."""
    method = _cash_payment_method(buyer)
    context = {**buyer.context, "active_model": "account.invoice", "active_id": invoice,
               "active_ids": [invoice]}  # fmt: skip
    session, start, _ = buyer.call("wizard.account.invoice.pay.create", context)
    try:
        view = buyer.call("wizard.account.invoice.pay.execute", session, {}, start, context)
        values = {k: v for k, v in view["view"]["defaults"].items() if not k.endswith(".")}
        values |= {"payment_method": method, "description": "paid by AP"}
        buyer.call("wizard.account.invoice.pay.execute", session, {start: values}, "choice",
                   context)  # fmt: skip
    finally:
        buyer.call("wizard.account.invoice.pay.delete", session, context)


def _cash_payment_method(buyer: TrytonClient) -> int:
    model = "account.invoice.payment.method"
    if found := buyer.call_model(model, "search", [["name", "=", "Cash"]]):
        return int(found[0])
    (journal,) = buyer.call_model("account.journal", "search", [["code", "=", "CASH"]])
    (cash,) = buyer.call_model("account.account", "search", [["code", "=", "1.1.1"]])
    (company,) = buyer.call_model("company.company", "search", [])
    (method,) = buyer.call_model(model, "create", [{
        "name": "Cash", "company": company, "journal": journal, "credit_account": cash,
        "debit_account": cash,
    }])  # fmt: skip
    return int(method)


def quoted_purchases(
    buyer: TrytonClient, party: dict[str, Any], products: list[int], count: int, delivery: date
) -> list[int]:
    """`count` purchases from `party`, a line of 10 at 1.50 per product each, created and
    quoted in two calls (what a buyer's batch would do); their ids in creation order."""
    (uom,) = buyer.call_model("product.uom", "search", [["symbol", "=", UNIT]])
    line = [{"product": p, "quantity": 10.0, "unit": uom, "unit_price": Decimal("1.50")}
            for p in products]  # fmt: skip
    purchases = buyer.call_model("purchase.purchase", "create", [
        {"party": party["id"], "invoice_address": party["addresses"][0],
         "delivery_date": delivery, "lines": [["create", line]]}
        for _ in range(count)
    ])  # fmt: skip
    buyer.call_model("purchase.purchase", "quote", purchases)
    return [int(p) for p in purchases]
