"""`POST /api/v1/edi`: an X12 or EDIFACT interchange from a trading partner (a VAN, a test).

The route only translates: the composition root puts the gateway's inbound side on the app
(`app.state.edi`, connectors/gateway/inbound.py); it turns the body into commands with the
partner's profile (the partner is the connector token's subject), each with a message id made
of sender, interchange and set control numbers, so a resend is answered with the first results.
"""

from __future__ import annotations

import dataclasses
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


class EdiInbound(Protocol):
    def __call__(self, partner: str, interchange: bytes) -> Sequence[Inbound]: ...


class Payloads(Protocol):
    def put(self, payload: bytes) -> str: ...

    def get(self, ref: str) -> bytes: ...


class EdiResult(pydantic.BaseModel):
    message_id: str = pydantic.Field(
        description="edi:<sender>:<interchange control>:<set control>[:<n>]"
    )
    command: str
    outcome: Outcome | None = None
    problem: dict[str, Any] | None = None


class EdiAnswer(pydantic.BaseModel):
    results: list[EdiResult]


# The interchange as sent (X12 or EDIFACT, told by its first segment).
_RAW = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    "required": True,
}


@router.post(
    "/edi",
    summary="Take an X12 or EDIFACT interchange from a partner",
    responses={200: body(EdiAnswer, "Each command the interchange said, and what it did")},
    openapi_extra={"requestBody": _RAW},
)
async def receive(
    request: Request, services: ServicesDep, envelope: EnvelopeDep, principal: PrincipalDep
) -> JSONResponse:
    inbound: EdiInbound | None = getattr(request.app.state, "edi", None)
    if inbound is None:
        raise NotFoundError("EDI gateway", "this hub has none configured")
    raw = await request.body()
    payloads: Payloads | None = getattr(request.app.state, "payloads", None)
    if payloads is not None:  # kept before it is read: the events point at it
        await run_in_threadpool(payloads.put, raw)
    found = await run_in_threadpool(inbound, principal.subject, raw)
    items = [
        BatchItem(each.command, _envelope(envelope, each.channel).provenance(each.message_id))
        for each in found
    ]
    results = await run_in_threadpool(services.hub.handle_one_by_one, items)
    return JSONResponse({"results": [_result(*pair) for pair in zip(found, results, strict=True)]})


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


def _envelope(envelope: Any, channel: str) -> Any:
    return dataclasses.replace(envelope, channel=Channel(channel))


def _result(each: Inbound, result: Any) -> dict[str, Any]:
    answer = {"message_id": each.message_id, "command": type(each.command).__name__}
    if isinstance(result, DomainError):
        return {**answer, "problem": problem_body(result)}
    return {**answer, "outcome": outcome_json(result)}
