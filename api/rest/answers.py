"""The bodies the REST routes answer, declared for the OpenAPI. The routes still build their
JSON directly (the fast path); tests check these schemas against real answers."""

from __future__ import annotations

from typing import Any

import pydantic

from domain.outcome import Outcome


class HistoryEvent(pydantic.BaseModel):
    version: int
    recorded_at: str
    event: str
    actor: str
    channel: str
    message_id: str
    correlation_id: str
    payload_ref: str


class HistoryLine(pydantic.BaseModel):
    line_number: int
    item: str
    quantity: str
    uom: str
    unit_price: str
    need_by: str
    ack_status: str
    received: str


class HistoryState(pydantic.BaseModel):
    revision: int
    status: str
    version: int
    lines: list[HistoryLine]


class History(pydantic.BaseModel):
    number: str
    events: list[HistoryEvent]
    state: HistoryState | None = pydantic.Field(description="null when nothing was recorded yet")


class BulkResult(pydantic.BaseModel):
    index: int
    message_id: str
    status: int = pydantic.Field(
        description="as its single route answers: 201 a document created, 200 applied "
        "or a replay, 4xx refused"
    )
    outcome: Outcome | None = None
    problem: dict[str, Any] | None = None


class BulkAnswer(pydantic.BaseModel):
    accepted: int
    failed: int
    results: list[BulkResult]


def body(model: Any, description: str = "Successful Response") -> dict[str, Any]:
    return {"model": model, "description": description}


APPLIED: dict[int | str, dict[str, Any]] = {200: body(Outcome, "What the command did")}
CREATED: dict[int | str, dict[str, Any]] = {
    201: body(Outcome, "Applied"),
    200: body(Outcome, "A replay of the first result (`Idempotent-Replayed: true`)"),
}
