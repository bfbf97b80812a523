"""The ORDCHG message the hub sends (D.96A or D.01B) for a partner that takes changes: BGM
230 (purchase order change request) with 1225 4 (change) or 1 (cancellation), and the changed
lines only, each LIN with its 1229 action code."""

from __future__ import annotations

from connectors.edi.edifact.envelope import EdifactEnvelope, enclose, message
from connectors.edi.edifact.syntax import Syntax
from connectors.edi.edifact.writer import write
from connectors.edi.order import decimal_text
from connectors.edi.order_change import ChangeKind, OrderChange
from connectors.edi.segment import Segment

# 1225 message function: 4 change, 1 cancellation.
_CHANGE, _CANCEL = "4", "1"
# 1229 action request/notification: 1 added, 2 deleted, 3 changed.
_1229 = {ChangeKind.ADDED: "1", ChangeKind.DELETED: "2"}
_CHANGED = "3"


def order_change_message(
    change: OrderChange, reference: str, directory: str, syntax: Syntax
) -> list[Segment]:
    """UNH..UNT of an ORDCHG for ``change``."""
    order = change.order
    body = [
        Segment.of("BGM", "230", order.number, _CANCEL if order.cancelled else _CHANGE),
        Segment.of("DTM", ["137", order.issued.strftime("%Y%m%d"), "102"]),  # document date
        # ON: the order changed, with its revision (1060) as a supplier's ORDRSP echoes it.
        Segment.of("RFF", ["ON", order.number, "", str(order.revision + 1)]),
        Segment.of("NAD", "BY", [order.buyer_id, "", "92"]),  # 92: assigned by buyer
        Segment.of("NAD", "SU", [order.supplier_id, "", "92"]),
        Segment.of("CUX", ["2", order.currency, "9"]),
    ]
    for each in change.lines:
        line = each.line
        action = _1229.get(each.kind, _CHANGED)
        body.append(Segment.of("LIN", str(line.line_number), action, [line.item, "IN"]))
        if each.kind is ChangeKind.DELETED:
            continue
        body += [
            Segment.of("QTY", ["21", decimal_text(line.quantity, syntax.decimal), line.unit]),
            Segment.of("DTM", ["2", line.requested.strftime("%Y%m%d"), "102"]),
            Segment.of("PRI", ["AAA", decimal_text(line.price, syntax.decimal)]),
        ]
    body.append(Segment.of("UNS", "S"))
    if change.lines:
        body.append(Segment.of("CNT", ["2", str(len(change.lines))]))
    return message("ORDCHG", directory, reference, body)


def write_ordchg(
    change: OrderChange,
    envelope: EdifactEnvelope,
    syntax: Syntax,
    directory: str = "D96A",
    reference: str = "1",
) -> bytes:
    """A whole interchange (UNA, UNB..UNZ) carrying the change's ORDCHG message."""
    messages = [order_change_message(change, reference, directory, syntax)]
    return write(enclose(messages, envelope, syntax), syntax)
