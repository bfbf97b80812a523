"""The 850 Purchase Order the hub sends, in 004010 or 005010."""

from __future__ import annotations

from connectors.edi.order import OutboundOrder, decimal_text
from connectors.edi.segment import Segment
from connectors.edi.x12.delimiters import Delimiters
from connectors.edi.x12.envelope import X12Envelope, enclose, transaction_set
from connectors.edi.x12.writer import write

# BEG01 transaction set purpose (element 353): 00 original, 05 replace, 01 cancellation.
_ORIGINAL, _REPLACE, _CANCEL = "00", "05", "01"


def _purpose(order: OutboundOrder) -> str:
    if order.cancelled:
        return _CANCEL
    return _ORIGINAL if order.revision == 0 else _REPLACE


def purchase_order_850(order: OutboundOrder, control: str) -> list[Segment]:
    """ST..SE of an 850 for ``order``; ``control`` is ST02 (4-9 characters)."""
    body = [
        Segment.of(
            "BEG",
            _purpose(order),
            "SA",  # stand-alone order (element 92)
            order.number,
            "",
            order.issued.strftime("%Y%m%d"),
        ),
        Segment.of("CUR", "BY", order.currency),
        Segment.of("N1", "BY", "", "92", order.buyer_id),  # 92: assigned by buyer
        Segment.of("N1", "SE", "", "92", order.supplier_id),
    ]
    for line in order.lines:
        body.append(
            Segment.of(
                "PO1",
                str(line.line_number),
                decimal_text(line.quantity),
                line.unit,
                decimal_text(line.price),
                "",
                "BP",  # buyer's part number (element 235)
                line.item,
            )
        )
        # 002: delivery requested (element 374).
        body.append(Segment.of("DTM", "002", line.requested.strftime("%Y%m%d")))
    body.append(Segment.of("CTT", str(len(order.lines))))
    return transaction_set("850", control, body)


def write_850(
    order: OutboundOrder,
    envelope: X12Envelope,
    delimiters: Delimiters,
    control: str = "0001",
) -> bytes:
    """A whole interchange (ISA..IEA, one PO group) carrying the order's 850."""
    sets = [purchase_order_850(order, control)]
    return write(enclose(sets, "PO", envelope, delimiters), delimiters)
