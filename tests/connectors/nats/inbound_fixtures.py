"""Command messages as an ERP connector would send them on NATS."""

from __future__ import annotations

import json
from typing import Any

from connectors.nats.command_messages import InboundMessage


def line(number: int = 10, quantity: str = "100") -> dict[str, Any]:
    return {
        "line_number": number,
        "item": "GEAR-2040",
        "quantity": quantity,
        "uom": "EA",
        "unit_price": "12.50",
        "need_by": "2026-12-01",
        "ship_to": "PLANT-DE01",
    }


def message(command: str, message_id: str, **fields: Any) -> InboundMessage:
    return InboundMessage(
        f"supplyhub.commands.{command}",
        {"Nats-Msg-Id": message_id, "Supplyhub-Correlation-Id": f"corr-{message_id}"},
        json.dumps(fields).encode(),
    )


def upsert_supplier(supplier: str, message_id: str = "") -> InboundMessage:
    return message("upsert_supplier", message_id or f"sup-{supplier}", supplier=supplier,
                   name=f"{supplier} Ltd")  # fmt: skip


def release(po: str, supplier: str = "SUP-ACME") -> InboundMessage:
    return message("release_purchase_order", f"rel-{po}", po_number=po, supplier=supplier,
                   currency="EUR", lines=[line()])  # fmt: skip


def revise(po: str, revision: int, quantity: str) -> InboundMessage:
    return message("revise_purchase_order", f"rev-{po}-{revision}", po_number=po,
                   revision=revision, lines=[line(quantity=quantity)])  # fmt: skip
