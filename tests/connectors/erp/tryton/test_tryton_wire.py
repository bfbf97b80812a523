"""The Tryton client's pure parts: Tryton's typed JSON values, its errors as typed exceptions,
and the cursor's look-back window with dedupe (no server)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from connectors.erp.tryton.reader import TrytonCursor, advanced
from connectors.erp.tryton.rpc import (
    TrytonAccessError,
    TrytonClient,
    TrytonConcurrencyError,
    TrytonError,
    TrytonServerError,
    TrytonUserError,
    TrytonWarningError,
    dumps,
    error_of,
    loads,
)

T0 = datetime(2026, 12, 4, 21, 0, 0, 123456)
WINDOW = timedelta(minutes=5)


def test_values_travel_as_tryton_encodes_them_and_come_back_exact() -> None:
    values = [Decimal("0.35"), date(2027, 3, 1), T0, timedelta(seconds=90), b"\x00raw"]

    sent = loads(dumps(values))

    assert sent == values
    assert dumps(Decimal("0.35")) == b'{"__class__":"Decimal","decimal":"0.35"}'


def test_floats_come_back_as_exact_decimals_however_large() -> None:
    assert loads(b"[18446744073709551616.0, 0.1]") == [
        Decimal("18446744073709551616.0"), Decimal("0.1"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("wire", "kind", "text"),
    [
        (["UserError", ["The PO is locked.", "Ask the buyer.", None]], TrytonUserError,
         "The PO is locked. - Ask the buyer."),
        (["UserError", ['You are not allowed to modify the field "Quantity" in record "x".', ""]],
         TrytonAccessError, 'modify the field "Quantity"'),
        (["ConcurrencyException", "Records were modified in the meanwhile"],
         TrytonConcurrencyError, "modified in the meanwhile"),
        (["'res.user'", "Traceback ..."], TrytonServerError, "'res.user'"),
    ],
)  # fmt: skip
def test_tryton_errors_become_typed_exceptions(
    wire: list[object], kind: type[TrytonError], text: str
) -> None:
    error = error_of(wire)

    assert type(error) is kind
    assert text in str(error)


def test_a_user_warning_keeps_the_name_to_acknowledge_it_by() -> None:
    error = error_of(["UserWarning", ["a1b2.invoice_similar", "The invoice is similar.", ""]])

    assert isinstance(error, TrytonWarningError)
    assert (error.name, error.message) == ("a1b2.invoice_similar", "The invoice is similar.")


def test_the_client_never_shows_its_session() -> None:
    client = TrytonClient("http://127.0.0.1:1/", "hub")
    client._authorization = "Session c2VjcmV0"  # as after a login

    assert "c2VjcmV0" not in repr(client)


def test_a_cursor_moves_to_the_newest_version_and_keeps_only_the_window_for_dedupe() -> None:
    old, new = ("purchase.purchase", 1, T0), ("purchase.purchase", 2, T0 + timedelta(minutes=9))

    cursor = advanced(TrytonCursor(), [old, new], [], WINDOW)

    assert cursor == TrytonCursor(T0 + timedelta(minutes=9), frozenset({new}))


def test_a_record_that_failed_holds_the_window_open_at_its_version() -> None:
    done = ("purchase.purchase", 2, T0 + timedelta(minutes=9))

    cursor = advanced(TrytonCursor(), [done], [T0], WINDOW)

    assert cursor.since == T0
    assert done in cursor.seen


def test_nothing_read_leaves_the_cursor_where_it_was() -> None:
    cursor = TrytonCursor(T0, frozenset({("purchase.purchase", 1, T0)}))

    assert advanced(cursor, [], [], WINDOW) == cursor
