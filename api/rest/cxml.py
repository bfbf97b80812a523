"""`POST /cxml`: a cXML request from a supplier or its procurement network.

Not under /api/v1 and without a bearer token: cXML partners authenticate in the document
(Sender credential and shared secret), which the gateway's cXML side checks against the
partner's profile before reading further (`app.state.cxml`, connectors/cxml/inbound.py). The
route only translates: the commands go to the hub as the partner's own messages (message id
``cxml:<payloadID>``), and the answer is the cXML Response the gateway writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, Role
from api.envelope import Envelope
from api.services import ServicesDep
from domain.application import BatchItem
from domain.commands import Command
from domain.errors import DomainError, NotFoundError
from domain.outcome import Outcome
from domain.provenance import Channel

router = APIRouter(tags=["cxml"])
_XML = ("text/xml", "application/xml")
# Each a cXML Response whose Status code is also the HTTP status; the text names the element
# and the rule (docs/cxml.md).
_ANSWERS = {
    200: "A cXML Response, Status 200: every command of the request was applied (or replayed)",
    400: "Status 400: the element and the rule, or the hub's reason for refusing a command",
    401: "Status 401: the Sender credential or shared secret is not the partner's",
    403: "Status 403: the document is another supplier's",
    404: "No cXML gateway is configured (a problem document)",
    406: "Status 406: a request the partner may not send",
    409: "Status 409: the payloadID was already used for another document",
    500: "Status 500: a fault of the hub's own; send the same document again later",
}


class Answer(Protocol):
    code: int
    document: bytes


class Found(Protocol):
    message_id: str
    command: Command


class Received(Protocol):
    partner: str
    supplier: str
    commands: Sequence[Found]
    refused: Answer | None


class CxmlInbound(Protocol):
    def receive(self, document: bytes) -> Received: ...
    def answer(self, results: Sequence[Outcome | DomainError]) -> Answer: ...
    def refusal(self, code: int, detail: str) -> Answer: ...


@router.post(
    "/cxml",
    summary="Take a cXML request (ConfirmationRequest, ShipNoticeRequest, InvoiceDetailRequest)",
    openapi_extra={
        "requestBody": {
            "content": {kind: {"schema": {"type": "string"}} for kind in _XML},
            "required": True,
        }
    },
    responses={
        code: {"content": {"text/xml": {"schema": {"type": "string"}}}, "description": text}
        for code, text in _ANSWERS.items()
    },
)
async def receive(request: Request, services: ServicesDep) -> Response:
    inbound: CxmlInbound | None = getattr(request.app.state, "cxml", None)
    if inbound is None:
        raise NotFoundError("cXML gateway", "this hub has none configured")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _XML:
        return _xml(inbound.refusal(400, f"Content-Type must be text/xml or application/xml, "
                                         f"not {kind or 'missing'}"))  # fmt: skip
    body = await request.body()
    received = await run_in_threadpool(inbound.receive, body)
    if received.refused is not None:
        return _xml(received.refused)
    # As its supplier: the domain hides other suppliers' orders from the partner.
    principal = Principal(received.partner, Role.SUPPLIER, received.supplier)
    envelope = Envelope.of(principal, Channel.CXML, services.clock, None, body)
    items = [BatchItem(each.command, envelope.provenance(each.message_id))
             for each in received.commands]  # fmt: skip
    results = await run_in_threadpool(services.hub.handle_one_by_one, items)
    return _xml(inbound.answer(results))


def _xml(answer: Answer) -> Response:
    return Response(answer.document, status_code=answer.code, media_type="text/xml")
