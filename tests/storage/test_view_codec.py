"""Views built without `__init__` (the rebuild's hot path) are the views `__init__` builds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from projections.read_models import LineView, PurchaseOrderView
from storage import view_codec
from storage.view_codec import built


def _line() -> dict[str, object]:
    return {
        "line_number": 10, "item": "I-1", "description": "", "uom": "EA", "ship_to": "P1",
        "ordered_quantity": Decimal("5"), "unit_price": Decimal("2.50"),
        "need_by": date(2026, 12, 1), "ack_status": "pending", "ack_source_code": "",
        "confirmed_quantity": None, "confirmed_date": None, "shipped_quantity": Decimal(0),
        "received_quantity": Decimal(0), "invoiced_quantity": Decimal(0),
        "commitment": "unconfirmed",
    }  # fmt: skip


def test_a_view_built_directly_equals_and_encodes_as_one_built_by_its_init() -> None:
    # Given the fields of a line, in declared order and reversed
    fields = _line()
    backwards = dict(reversed(fields.items()))
    # Then both build the view __init__ builds, down to the bytes of its stored JSON
    for given in (fields, backwards):
        line = built(LineView, **given)
        assert line == LineView(**fields)  # type: ignore[arg-type]
        assert view_codec.encode(line) == view_codec.encode(LineView(**fields))  # type: ignore[arg-type]


def test_a_field_left_out_takes_its_default_and_an_unknown_or_missing_one_is_refused() -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    fields = {
        "number": "PO-1", "supplier": "S", "currency": "EUR", "revision": 1, "status": "open",
        "needs_action": True, "acknowledged_revision": 0, "released_at": at, "updated_at": at,
        "lines": (), "revisions": (), "acknowledgements": (), "shipments": (), "receipts": (),
        "invoices": (), "open_exceptions": 0,
    }  # fmt: skip
    view = built(PurchaseOrderView, **fields)
    assert view == PurchaseOrderView(**fields)  # type: ignore[arg-type]
    assert view_codec.encode(view) == view_codec.encode(PurchaseOrderView(**fields))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        built(LineView, **{**_line(), "colour": "red"})
    with pytest.raises(TypeError):
        built(LineView, **{k: v for k, v in _line().items() if k != "item"})
