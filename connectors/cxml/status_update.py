"""StatusUpdateRequest: a supplier's (or its network's) word on a document the hub sent it,
recorded against our OrderRequest; pure reading here, the recording in `CxmlOrders`.

What maps: ``DocumentReference@payloadID`` naming one of the hub's OrderRequests to this
partner, and its ``Status`` (``@code``, ``@text``, the detail as content), optionally with a
``DocumentStatus`` (``@type``: the supplier's own state of the order, kept as text). It becomes
no canonical command: the order's answer is the ConfirmationRequest's. What does not map
(406): ``PaymentStatus``, ``InvoiceStatus``, ``SourcingStatus`` (a buyer's news to its
supplier, never the other way) and ``IntegrationStatus``.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.cxml.errors import NotAcceptableError
from connectors.cxml.node import Node

MAX_DETAIL = 1000
_NOT_OURS = ("PaymentStatus", "InvoiceStatus", "SourcingStatus", "IntegrationStatus")


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The supplier's status of the hub's document ``order_payload_id``."""

    order_payload_id: str
    code: int
    text: str
    detail: str


def read_status_update(request: Node) -> StatusUpdate:
    for tag in _NOT_OURS:
        other = request.optional(tag)
        if other is not None:
            raise NotAcceptableError(
                other.path, f"a {tag} does not map: the hub takes a supplier's status of its "
                "OrderRequests only",
            )  # fmt: skip
    reference = request.child("DocumentReference").required("payloadID")
    status = request.child("Status")
    code_text = status.required("code")
    if not code_text.isdigit() or not 100 <= int(code_text) <= 999:
        raise status.fail("must be a cXML status code (3 digits)", "code")
    detail = status.text()
    document_status = request.optional("DocumentStatus")
    if document_status is not None and document_status.attr("type"):
        detail = f"{detail} (DocumentStatus {document_status.attr('type')})".strip()
    return StatusUpdate(reference, int(code_text), status.attr("text"), detail[:MAX_DETAIL])
