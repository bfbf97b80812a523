"""How the Tryton write-back answers what Tryton says, without a server: a warning is
acknowledged once, a refusal becomes the buyer's with Tryton's message, a record that keeps
changing is retried later, and a PO in a state that takes no answer is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest

from connectors.erp.seam import (
    Acknowledgement,
    ErpBusyError,
    ErpRefusedError,
    LineChange,
    LineDate,
)
from connectors.erp.tryton.rpc import (
    TrytonAccessError,
    TrytonClient,
    TrytonConcurrencyError,
    TrytonTransportError,
    TrytonWarningError,
)
from connectors.erp.tryton.write import TrytonWriteBack

ACK = Acknowledgement("PO1", 1, "SO-1", (LineDate(11, date(2027, 3, 9)),), confirm=True)
Answer = Callable[[tuple[Any, ...]], Any]


class ScriptedTryton:
    """Answers JSON-RPC methods from a script: a value, or an exception, per call in turn."""

    database = "hub"
    user_id = 7

    def __init__(self, state: str = "quotation", **script: list[Any]) -> None:
        self.context: dict[str, Any] = {"language": "en"}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        purchase = {"id": 1, "number": "PO1", "state": state, "revision": 0,
                    "reference": "", "lines": [11], "_timestamp": "1.0"}  # fmt: skip
        line = {"id": 11, "delivery_date": date(2027, 3, 1), "_timestamp": "2.0"}
        self.script: dict[str, list[Any]] = {
            "model.purchase.purchase.search_read": [[purchase]] * 5,
            "model.purchase.line.read": [[line]] * 5,
            **script,
        }

    def call(self, method: str, *params: Any) -> Any:
        self.calls.append((method, params))
        answers = self.script.get(method, [None])
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def call_model(self, model: str, method: str, *args: Any) -> Any:
        return self.call(f"model.{model}.{method}", *args, self.context)

    def called(self, method: str) -> list[tuple[Any, ...]]:
        return [params for name, params in self.calls if name == method]


def writer(tryton: ScriptedTryton) -> TrytonWriteBack:
    return TrytonWriteBack(cast("TrytonClient", tryton))


def test_a_quoted_po_gets_the_line_date_with_its_timestamp_the_reference_and_then_confirm() -> None:
    tryton = ScriptedTryton()

    done = writer(tryton).acknowledge(ACK)

    assert done == "line dates, reference, confirmed"
    (line_write,) = tryton.called("model.purchase.line.write")
    assert line_write[:2] == ([11], {"delivery_date_edit": True, "delivery_date": date(2027, 3, 9)})
    assert line_write[2]["_timestamp"] == {"purchase.line,11": "2.0"}
    assert tryton.called("model.purchase.purchase.confirm")[0][0] == [1]


def test_a_warning_is_acknowledged_for_this_user_and_the_call_made_once_more() -> None:
    warning = TrytonWarningError("abc.purchase_confirm", "Are you sure?")
    tryton = ScriptedTryton(**{"model.purchase.purchase.confirm": [warning, None]})

    writer(tryton).acknowledge(ACK)

    (created,) = tryton.called("model.res.user.warning.create")
    assert created[0] == [{"user": 7, "name": "abc.purchase_confirm", "always": False}]
    assert len(tryton.called("model.purchase.purchase.confirm")) == 2


def test_a_second_warning_after_acknowledging_one_is_a_refusal_not_a_loop() -> None:
    warning = TrytonWarningError("abc.purchase_confirm", "Are you sure?")
    tryton = ScriptedTryton(**{"model.purchase.purchase.confirm": [warning, warning, None]})

    with pytest.raises(ErpRefusedError, match="Are you sure"):
        writer(tryton).acknowledge(ACK)


def test_a_field_tryton_refuses_is_a_refusal_carrying_trytons_message() -> None:
    refused = TrytonAccessError('You are not allowed to modify the field "Delivery Date"')
    tryton = ScriptedTryton(**{"model.purchase.line.write": [refused]})

    with pytest.raises(ErpRefusedError, match='not allowed to modify the field "Delivery Date"'):
        writer(tryton).acknowledge(ACK)


def test_a_record_that_keeps_changing_is_read_again_then_left_for_a_later_retry() -> None:
    changed = TrytonConcurrencyError("Records were modified in the meanwhile")
    tryton = ScriptedTryton(**{"model.purchase.line.write": [changed] * 4})

    with pytest.raises(ErpBusyError) as busy:
        writer(tryton).acknowledge(ACK)

    assert isinstance(busy.value, ConnectionError)  # transient for the worker's loop
    assert len(tryton.called("model.purchase.line.write")) == 3


def test_a_po_done_or_cancelled_in_tryton_takes_no_answer() -> None:
    tryton = ScriptedTryton(state="done")

    with pytest.raises(ErpRefusedError, match="PO1 is done in Tryton"):
        writer(tryton).acknowledge(ACK)
    assert not tryton.called("model.purchase.purchase.write")


def test_an_unreachable_tryton_is_a_connection_error_for_the_workers_loop() -> None:
    assert issubclass(TrytonTransportError, ConnectionError)


def amendable(**script: list[Any]) -> ScriptedTryton:
    """A processing purchase whose line 11 holds 10 units at 1.50."""
    line = {"id": 11, "product": 5, "unit": 1, "unit_price": Decimal("1.50"),
            "description": "Bolt", "quantity": Decimal("10.0")}  # fmt: skip
    return ScriptedTryton(state="processing", **{
        "model.purchase.line.read": [[line]] * 5, "model.purchase.amendment.search": [[]],
        "model.purchase.amendment.create": [[3]], **script,
    })  # fmt: skip


def test_an_agreed_quantity_is_an_amendment_with_every_line_field_validated_under_its_timestamp(
) -> None:  # fmt: skip
    tryton = amendable()

    done = writer(tryton).amend("PO1", (LineChange(11, quantity=Decimal(4)),), revision=1)

    assert done == "amended"
    (created,) = tryton.called("model.purchase.amendment.create")
    (line,) = created[0][0]["lines"][0][1]
    assert line == {"action": "line", "line": 11, "product": 5, "unit": 1, "quantity": 4.0,
                    "unit_price": Decimal("1.50"), "description": "Bolt"}  # fmt: skip
    (validated,) = tryton.called("model.purchase.amendment.validate_amendment")
    assert validated[0] == [3] and validated[1]["_timestamp"] == {"purchase.purchase,1": "1.0"}


def test_an_amendment_tryton_already_holds_writes_nothing_whatever_the_revision() -> None:
    tryton = amendable()

    done = writer(tryton).amend("PO1", (LineChange(11, quantity=Decimal(10)),), revision=5)

    assert done == "unchanged"
    assert not tryton.called("model.purchase.amendment.create")


def test_an_amendment_on_a_revision_tryton_moved_past_is_refused_not_written() -> None:
    tryton = amendable()

    with pytest.raises(
        ErpRefusedError, match="revision 0 in Tryton; the change was agreed on revision 1"
    ):
        writer(tryton).amend("PO1", (LineChange(11, quantity=Decimal(4)),), revision=2)
    assert not tryton.called("model.purchase.amendment.create")


def test_an_amendment_of_ours_left_in_draft_is_deleted_before_the_new_one() -> None:
    tryton = amendable(**{"model.purchase.amendment.search": [[2]]})

    writer(tryton).amend("PO1", (LineChange(11, quantity=Decimal(4)),))

    assert tryton.called("model.purchase.amendment.delete")[0][0] == [2]
    names = [name for name, _ in tryton.calls if name.startswith("model.purchase.amendment.")]
    assert names.index("model.purchase.amendment.delete") < names.index(
        "model.purchase.amendment.create"
    )


def test_a_purchase_locked_by_the_buyer_at_every_read_is_a_refusal_with_trytons_message() -> None:
    locked = TrytonConcurrencyError("Records were modified in the meanwhile")
    tryton = amendable(**{"model.purchase.amendment.validate_amendment": [locked] * 4})

    with pytest.raises(ErpRefusedError, match="modified in the meanwhile"):
        writer(tryton).amend("PO1", (LineChange(11, quantity=Decimal(4)),))
    assert len(tryton.called("model.purchase.amendment.validate_amendment")) == 3
