"""The ORDERS message the hub sends, in directory D.96A or D.01B."""

from __future__ import annotations

from connectors.edi.edifact.envelope import EdifactEnvelope, enclose, message
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.edifact.writer import write
from connectors.edi.order import OutboundOrder, decimal_text
from connectors.edi.segment import Segment

# BGM 1225 message function: 9 original, 5 replace, 1 cancellation.  BGM 1001 220: order.
_ORIGINAL, _REPLACE, _CANCEL = "9", "5", "1"


def _function(order: OutboundOrder) -> str:
    if order.cancelled:
        return _CANCEL
    return _ORIGINAL if order.revision == 0 else _REPLACE


def orders_message(
    order: OutboundOrder, reference: str, directory: str, syntax: Syntax
) -> list[Segment]:
    """UNH..UNT of an ORDERS for ``order``; numbers use ``syntax``'s decimal mark."""
    body = [
        Segment.of("BGM", "220", order.number, _function(order)),
        Segment.of("DTM", ["137", order.issued.strftime("%Y%m%d"), "102"]),  # document date
        Segment.of("NAD", "BY", [order.buyer_id, "", "92"]),  # 92: assigned by buyer
        Segment.of("NAD", "SU", [order.supplier_id, "", "92"]),
        Segment.of("CUX", ["2", order.currency, "9"]),  # reference currency, order currency
    ]
    for line in order.lines:
        body += [
            # IN: buyer's item number (7143).
            Segment.of("LIN", str(line.line_number), "", [line.item, "IN"]),
            # 21: ordered quantity (6063).
            Segment.of("QTY", ["21", decimal_text(line.quantity, syntax.decimal), line.unit]),
            # 2: delivery date requested (2005).
            Segment.of("DTM", ["2", line.requested.strftime("%Y%m%d"), "102"]),
            # AAA: calculation net price (5125).
            Segment.of("PRI", ["AAA", decimal_text(line.price, syntax.decimal)]),
        ]
    body += [
        Segment.of("UNS", "S"),  # summary section follows
        Segment.of("CNT", ["2", str(len(order.lines))]),  # 2: number of line items
    ]
    return message("ORDERS", directory, reference, body)


def write_orders(
    order: OutboundOrder,
    envelope: EdifactEnvelope,
    syntax: Syntax,
    directory: str = "D96A",
    reference: str = "1",
) -> bytes:
    """A whole interchange (UNA, UNB..UNZ) carrying the order's ORDERS message."""
    messages = [orders_message(order, reference, directory, syntax)]
    return write(enclose(messages, envelope, syntax), syntax)
