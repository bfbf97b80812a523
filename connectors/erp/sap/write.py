"""Write-backs to SAP S/4HANA: the supplier's confirmation as an `ORDRSP` IDoc.

The A2X purchase order service carries no supplier confirmation (a real S/4HANA keeps it in
the item's confirmation control, table EKES, which `API_PURCHASEORDER_PROCESS_SRV` does not
write; mock-sap's PO item has no date at all). SAP's documented way in is the order
response IDoc: message type `ORDRSP`, basic type `ORDERS05`, processed by `IDOC_INPUT_ORDRSP`
into confirmation category AB: `E1EDK01-BELNR` the supplier's reference, `E1EDK02` (QUALF
001) the PO number, one `E1EDP01` per item (`POSEX` the PO item) with an `E1EDP20` schedule
line (`WMENG` quantity, `EDATU` date).

Before each IDoc the PO is read (`A_PurchaseOrder` with its items): a PO SAP does not have,
has rejected or deleted, or an item it does not have, is a refusal (`ErpRefusedError`, SAP's
message), as is an IDoc SAP received and did not post (status 51, 56, 68: its status text).
A 412 reads the PO again and posts once more; a second one is a refusal. Transport failures
are the client's (retried, then a `ConnectionError` the loop retries).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final
from xml.sax.saxutils import escape

from connectors.erp.sap import translate as tr
from connectors.erp.sap.odata import SapClient, SapPreconditionError, SapRefusedError
from connectors.erp.seam import Acknowledgement, ErpRefusedError, LineChange

PURCHASE_ORDERS: Final = "API_PURCHASEORDER_PROCESS_SRV"
POSTED: Final = frozenset({"53", "64", "62", "50", "30"})  # posted, or waiting to be: not refused


class SapWriteBack:
    """`ErpWriteBack` for one SAP system (`partner`: the hub's logical system name, the
    IDoc's sender partner `SNDPRN`)."""

    def __init__(self, client: SapClient, partner: str = "SUPPLYHUB") -> None:
        self.client = client
        self.partner = partner

    def acknowledge(self, ack: Acknowledgement) -> str:
        for attempt in (1, 2):
            try:
                order = self._order(ack.po_number)
                receipt = self.client.post_idoc(ordrsp(ack, order, self.partner))
            except SapPreconditionError as stale:
                if attempt == 2:
                    raise ErpRefusedError(f"SAP: {stale}") from None
                continue  # read the PO again and send once more
            except SapRefusedError as refused:
                raise ErpRefusedError(f"SAP: {refused}") from None
            status = str(receipt.get("STATUS", ""))
            if status not in POSTED:
                raise ErpRefusedError(
                    f"{ack.po_number}: IDoc {receipt.get('DOCNUM')} status {status}: "
                    f"{receipt.get('STATUS_TEXT', '')}"
                )
            return f"ORDRSP IDoc {receipt.get('DOCNUM')} status {status}"
        raise AssertionError("unreachable")

    def amend(
        self, po_number: str, changes: Sequence[LineChange], *, revision: int | None = None
    ) -> str:
        """Not written into SAP yet: the buyer gets an `erp_refused` case saying so (and what
        to change by hand), rather than a worker that stops or retries for ever."""
        lines = ", ".join(str(change.line_number) for change in changes)
        raise ErpRefusedError(
            f"the hub does not write approved changes into SAP yet: change {po_number} "
            f"(line {lines}) in SAP; the next read brings it back as the hub's next revision"
        )

    def _order(self, po_number: str) -> Mapping[str, Any]:
        key = po_number.replace("'", "''")
        order = self.client.entity(
            PURCHASE_ORDERS, f"A_PurchaseOrder('{key}')", {"$expand": "to_PurchaseOrderItem"}
        ).data
        status = order.get("PurchasingProcessingStatus")
        if status not in tr.RELEASED or order.get("PurchasingDocumentDeletionCode") == tr.DELETED:
            raise ErpRefusedError(
                f"{po_number} is not open in SAP (processing status {status!r}): "
                "it takes no confirmation"
            )
        return order


def ordrsp(ack: Acknowledgement, order: Mapping[str, Any], sender: str) -> str:
    """The ORDRSP IDoc (ORDERS05 XML) for an acknowledgement (pure). Each dated line is one
    item with one schedule line of the ordered quantity (SAP's own, read before)."""
    items = {str(i.get("PurchaseOrderItem")): i for i in tr.PurchaseOrderRecord(order).items}
    positions = []
    for line in ack.dates:
        number = f"{line.line_number:05d}"
        item = items.get(number)
        if item is None or item.get("PurchasingDocumentDeletionCode") == tr.DELETED:
            raise ErpRefusedError(f"{ack.po_number} has no item {number} in SAP")
        schedule = _segment("E1EDP20", WMENG=str(item.get("OrderQuantity") or ""),
                            EDATU=line.delivery_date.strftime("%Y%m%d"))  # fmt: skip
        unit = str(item.get("PurchaseOrderQuantityUnit") or "")
        positions.append(_segment("E1EDP01", schedule, POSEX=number, MENEE=unit))
    control = _segment(
        "EDI_DC40", TABNAM="EDI_DC40", DIRECT="2", IDOCTYP="ORDERS05", MESTYP="ORDRSP",
        SNDPOR="SUPPLYHUB", SNDPRT="LS", SNDPRN=sender, RCVPRT="LS",
        ARCKEY=f"{ack.po_number}:r{ack.revision}:{ack.reference}"[:70],
    )  # fmt: skip
    header = _segment("E1EDK01", BELNR=(ack.reference or ack.po_number)[:35])
    reference = _segment("E1EDK02", QUALF="001", BELNR=ack.po_number)
    body = control + header + reference + "".join(positions)
    idoc = f'<ORDERS05><IDOC BEGIN="1">{body}</IDOC></ORDERS05>'
    return f'<?xml version="1.0" encoding="utf-8"?>{idoc}'


def _segment(name: str, children: str = "", **fields: str) -> str:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return f'<{name} SEGMENT="1">{inner}{children}</{name}>'
