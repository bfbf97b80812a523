"""The 860 Purchase Order Change Request (Buyer Initiated) the hub sends, in 004010 or 005010,
for a partner that takes changes: the changed lines only, each POC with its 670 code."""

from __future__ import annotations

from connectors.edi.order import decimal_text
from connectors.edi.order_change import ChangeKind, OrderChange
from connectors.edi.segment import Segment
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope, enclose, transaction_set
from connectors.edi.x12.writer import write

# BCH01 transaction set purpose (element 353): 04 change, 01 cancellation.
_CHANGE, _CANCEL = "04", "01"
# POC02 change or response type (element 670).
_670 = {
    ChangeKind.ADDED: "AI",  # add additional item(s)
    ChangeKind.DELETED: "DI",  # delete item(s)
    ChangeKind.QUANTITY_INCREASED: "QI",
    ChangeKind.QUANTITY_DECREASED: "QD",
    ChangeKind.PRICE_CHANGED: "PC",
    ChangeKind.RESCHEDULED: "RZ",  # reschedule
    ChangeKind.CHANGED: "CA",  # changes to line items
}


def purchase_order_change_860(change: OrderChange, control: str) -> list[Segment]:
    """ST..SE of an 860 for ``change``; BCH05 (change order sequence) is the hub's revision,
    which a supplier's 865 echoes in BCA05."""
    order = change.order
    body = [
        Segment.of(
            "BCH",
            _CANCEL if order.cancelled else _CHANGE,
            "SA",  # stand-alone order (element 92)
            order.number,
            "",
            str(order.revision + 1),  # the hub's revision: 1 is the original order
            order.issued.strftime("%Y%m%d"),
        ),
        Segment.of("CUR", "BY", order.currency),
        Segment.of("N1", "BY", "", "92", order.buyer_id),  # 92: assigned by buyer
        Segment.of("N1", "SE", "", "92", order.supplier_id),
    ]
    for each in change.lines:
        line = each.line
        deleted = each.kind is ChangeKind.DELETED
        body.append(
            Segment.of(
                "POC",
                str(line.line_number),
                _670[each.kind],
                "" if deleted else decimal_text(line.quantity),
                "",  # 671 quantity left to receive
                "" if deleted else line.unit,
                "" if deleted else decimal_text(line.price),
                "",
                "BP",  # buyer's part number (element 235)
                line.item,
            )
        )
        if not deleted:  # 002: delivery requested (element 374)
            body.append(Segment.of("DTM", "002", line.requested.strftime("%Y%m%d")))
    if change.lines:
        body.append(Segment.of("CTT", str(len(change.lines))))
    return transaction_set("860", control, body)


def write_860(
    change: OrderChange, envelope: X12Envelope, delimiters: Delimiters, control: str = "0001"
) -> bytes:
    """A whole interchange (ISA..IEA, one PC group) carrying the change's 860."""
    sets = [purchase_order_change_860(change, control)]
    return write(enclose(sets, "PC", envelope, delimiters), delimiters)
