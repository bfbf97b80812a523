"""`POST /api/v1/edi`: an X12 or EDIFACT interchange from a trading partner (a VAN, a test).

The route only translates: the composition root puts the gateway's receiving side on the app
(`app.state.edi`, connectors/gateway/receiving.py); it turns each interchange of the body into
commands with the partner's profile (the partner is the connector token's subject), each with
a message id made of sender, interchange and set control numbers, so a resend is answered with
the first results, and writes our functional ack (which `worker edi` delivers). A body that
nothing could be applied of, because it was refused (syntax, or every set), is answered 422
with our rejecting 997 / CONTRL as the body; it is parked for operations (`edi parked`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

import pydantic
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import Role
from api.envelope import outcome_json
from api.errors import problem_body
from api.rest.answers import body
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, PrincipalDep, ServicesDep
from domain.application import BatchItem
from domain.commands import Command
from domain.errors import DomainError, NotFoundError
from domain.outcome import Outcome
from domain.provenance import Channel

router = APIRouter(tags=["edi"], responses=PROBLEMS)


class Inbound(Protocol):
    message_id: str
    channel: str
    command: Command


class Received(Protocol):
    ref: str
    commands: Sequence[Inbound]
    ack: bytes
    parked: str
    rejected: bool


class EdiGateway(Protocol):
    def receive(self, partner: str, body: bytes) -> Sequence[Received]: ...


class Payloads(Protocol):
    def put(self, payload: bytes) -> str: ...

    def get(self, ref: str) -> bytes: ...


class EdiResult(pydantic.BaseModel):
    message_id: str = pydantic.Field(
        description="edi:<sender>:<interchange control>[:<group control>]:<set control>[:<n>]"
    )
    command: str
    outcome: Outcome | None = None
    problem: dict[str, Any] | None = None


class EdiInterchange(pydantic.BaseModel):
    payload_ref: str = pydantic.Field(description="The interchange as kept (sha256:<hex>)")
    functional_ack: str = pydantic.Field(
        description="Our 997 / CONTRL for it, as kept (empty for a partner's functional ack)"
    )
    parked: str = pydantic.Field(description="Why it, or some of its sets, were refused")


class EdiAnswer(pydantic.BaseModel):
    results: list[EdiResult]
    interchanges: list[EdiInterchange]


# The interchange as sent (X12 or EDIFACT, told by its first segment).
_RAW = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    "required": True,
}


@router.post(
    "/edi",
    summary="Take an X12 or EDIFACT interchange from a partner",
    responses={
        200: body(EdiAnswer, "Each command the interchange said, and what it did"),
        422: {
            "description": "Refused (its syntax, or every set): our rejecting 997 / CONTRL, "
            "naming the segment and element; the reason in the Supplyhub-Refusal header",
            "content": {"application/edi-x12": {}, "application/edifact": {}},
        },
    },
    openapi_extra={"requestBody": _RAW},
)
async def receive(
    request: Request, services: ServicesDep, envelope: EnvelopeDep, principal: PrincipalDep
) -> Response:
    gateway: EdiGateway | None = getattr(request.app.state, "edi", None)
    if gateway is None:
        raise NotFoundError("EDI gateway", "this hub has none configured")
    raw = await request.body()
    received = await run_in_threadpool(gateway.receive, principal.subject, raw)
    pairs = [(each, interchange.ref) for interchange in received for each in interchange.commands]
    if not pairs and any(each.parked for each in received):
        return _refused(received)
    found = [each for each, _ in pairs]
    items = [  # each event points at the interchange it came in, as kept
        BatchItem(each.command, _envelope(envelope, each.channel, ref).provenance(each.message_id))
        for each, ref in pairs
    ]
    results = await run_in_threadpool(services.hub.handle_one_by_one, items)
    return JSONResponse({
        "results": [_result(*pair) for pair in zip(found, results, strict=True)],
        "interchanges": [_interchange(each) for each in received],
    })  # fmt: skip


@router.get(
    "/edi/payloads/{ref}",
    summary="An EDI interchange as it was received or sent, byte for byte (auditors)",
    responses={
        200: {
            "description": "The bytes whose SHA-256 the reference names",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def payload(ref: str, request: Request, principal: PrincipalDep) -> Response:
    principal.require(Role.AUDITOR, Role.ADMIN)
    payloads: Payloads | None = getattr(request.app.state, "payloads", None)
    if payloads is None:
        raise NotFoundError("EDI payload", ref)
    try:
        kept = await run_in_threadpool(payloads.get, ref)
    except LookupError:
        raise NotFoundError("EDI payload", ref) from None
    return Response(kept, media_type="application/octet-stream")


def _refused(received: Sequence[Received]) -> Response:
    ack = b"".join(each.ack for each in received)
    edifact = ack.lstrip().startswith((b"UNA", b"UNB"))
    reason = "; ".join(each.parked for each in received if each.parked)
    headers = {"Supplyhub-Refusal": reason.encode("ascii", "replace").decode()[:2000]}
    media = "application/edifact" if edifact else "application/edi-x12"
    return Response(ack, status_code=422, media_type=media, headers=headers)


def _interchange(each: Received) -> dict[str, str]:
    ack = f"sha256:{hashlib.sha256(each.ack).hexdigest()}" if each.ack else ""
    return {"payload_ref": each.ref, "functional_ack": ack, "parked": each.parked}


def _envelope(envelope: Any, channel: str, ref: str) -> Any:
    return dataclasses.replace(envelope, channel=Channel(channel), payload_ref=ref)


def _result(each: Inbound, result: Any) -> dict[str, Any]:
    answer = {"message_id": each.message_id, "command": type(each.command).__name__}
    if isinstance(result, DomainError):
        return {**answer, "problem": problem_body(result)}
    return {**answer, "outcome": outcome_json(result)}
