"""A purchase order's event history and its state at a point, as plain JSON: the same answer
from REST (`GET /api/v1/purchase-orders/{number}/history`) and `supplyhub history --json`."""

from __future__ import annotations

from typing import Any

from domain.purchase_order import PurchaseOrder


def history_json(number: str, events: list[Any], state: object) -> dict[str, Any]:
    return {
        "number": number,
        "events": [event_json(event) for event in events],
        "state": state_json(state) if isinstance(state, PurchaseOrder) else None,
    }


def event_json(event: Any) -> dict[str, Any]:
    provenance = getattr(event, "provenance", None)
    return {
        "version": event.originator_version,
        "recorded_at": event.timestamp.isoformat(),
        "event": type(event).__qualname__.split(".")[-1],
        "actor": provenance.actor if provenance else "",
        "channel": str(provenance.channel) if provenance else "",
        "message_id": provenance.message_id if provenance else "",
        "correlation_id": provenance.correlation_id if provenance else "",
        "payload_ref": provenance.payload_ref if provenance else "",
    }


def state_json(po: PurchaseOrder) -> dict[str, Any]:
    return {
        "revision": po.revision,
        "status": po.status,
        "version": po.version,
        "lines": [
            {
                "line_number": line.line_number,
                "item": line.item,
                "quantity": str(line.quantity),
                "uom": line.uom,
                "unit_price": str(line.unit_price),
                "need_by": line.need_by.isoformat(),
                "ack_status": str(answer.status) if (answer := po.responses.get(n)) else "pending",
                "received": str(po.received.get(n, 0)),
            }
            for n, line in po.lines.items()
        ],
    }
