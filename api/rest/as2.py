"""`POST /as2`: an AS2 message (RFC 4130) from a trading partner, answered with its MDN.

Not under /api/v1 and without a bearer token: an AS2 partner is named by its AS2-From
header and, when its profile says so, proved by its signature. The route only translates:
the composition root puts the gateway's AS2 side on the app (`app.state.as2`,
connectors/as2/endpoint.py), which checks the message, runs the interchange inside through
the EDI gateway and writes the receipt; an asynchronous receipt is POSTed after answering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.errors import NotFoundError

router = APIRouter(tags=["as2"])
# A MIME body whose type the AS2 headers give: S/MIME, an EDI interchange, an MDN.
_RAW = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


class Reply(Protocol):
    status: int
    headers: dict[str, str]
    body: bytes
    later: object | None


class As2Endpoint(Protocol):
    def receive(self, headers: Mapping[str, str], body: bytes) -> Reply: ...
    def deliver(self, receipt: object) -> None: ...


@router.post(
    "/as2",
    summary="Take an AS2 message from a trading partner; answer with its MDN",
    openapi_extra={"requestBody": {"content": _RAW, "required": True}},
    responses={
        200: {
            "description": "The synchronous MDN (multipart/report, or multipart/signed around "
            "one; its Content-Type in the headers), or empty when it is asynchronous",
            "content": _RAW,
        },
        404: {"description": "This hub has no AS2 id (SUPPLYHUB_AS2_ID): a problem document"},
    },
)
async def receive(request: Request, background: BackgroundTasks) -> Response:
    endpoint: As2Endpoint | None = getattr(request.app.state, "as2", None)
    if endpoint is None:
        raise NotFoundError("AS2 gateway", "this hub has no SUPPLYHUB_AS2_ID")
    headers = {name: value for name, value in request.headers.items() if name != "host"}
    reply = await run_in_threadpool(endpoint.receive, headers, await request.body())
    if reply.later is not None:
        background.add_task(endpoint.deliver, reply.later)
    return Response(reply.body, status_code=reply.status, headers=reply.headers)
