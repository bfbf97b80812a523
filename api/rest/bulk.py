"""Many connector documents in one request (month-end releases), with a result per item."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import pydantic
from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.envelope import Envelope, outcome_json
from api.errors import field_path, problem_body, rule_of
from api.rest import examples
from api.rest.answers import BulkAnswer, body
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, Services, ServicesDep, answer_status
from domain import limits
from domain.application import BatchItem
from domain.commands import COMMANDS, Command
from domain.errors import DomainError, ValidationError
from domain.outcome import Outcome

router = APIRouter(prefix="/bulk", tags=["bulk"], responses=PROBLEMS)

# What the ERP side may say; supplier answers come through the portal and EDI.
ErpCommand = Literal[
    "upsert_supplier", "set_tolerance_policy", "release_purchase_order",
    "revise_purchase_order", "cancel_purchase_order", "close_purchase_order",
    "post_goods_receipt", "report_erp_invoice_status", "approve_invoice", "pay_invoice",
    "place_quality_hold", "request_corrective_action", "release_quality_hold",
]  # fmt: skip


class Item(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: ErpCommand
    message_id: str = Field(min_length=1, max_length=200, description="The item's idempotency key")
    body: dict[str, Any] = Field(description="The command's fields, as in its single endpoint")


class Bulk(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Item] = Field(min_length=1, max_length=5000)


@cache
def _adapter(name: str, limited: bool) -> TypeAdapter[Command]:
    with limits.limits_left_out(not limited):
        return TypeAdapter(COMMANDS[name])


def _parse(name: str, body: dict[str, Any]) -> Command:
    """The fast parse, the hub checks the limits; on failure, the parse with the limits, so
    the item's answer lists the limits it breaks beside its parse errors."""
    try:
        return _adapter(name, False).validate_python(body)
    except pydantic.ValidationError:
        return _adapter(name, True).validate_python(body)


@dataclass(frozen=True)
class _Parsed:
    index: int
    item: Item
    command: Command


@router.post(
    "",
    summary="Apply many commands; each item has its own message id and result",
    responses={200: body(BulkAnswer)},
)
async def bulk(
    request: Annotated[Bulk, Body(openapi_examples=examples.BULK)],
    services: ServicesDep,
    envelope: EnvelopeDep,
) -> JSONResponse:
    if len(request.items) > services.max_bulk_items:
        raise ValidationError("items", f"at most {services.max_bulk_items} items per request")
    results: list[dict[str, Any] | None] = [None] * len(request.items)
    parsed: list[_Parsed] = []
    for index, item in enumerate(request.items):
        try:
            parsed.append(_Parsed(index, item, _parse(item.command, item.body)))
        except pydantic.ValidationError as error:
            broken = [(field_path(e["loc"]) or "body", rule_of(e)) for e in error.errors()]
            results[index] = _failed(index, item, ValidationError.of(broken))
    outcomes = await run_in_threadpool(_apply, services, envelope, parsed)
    for entry, result in zip(parsed, outcomes, strict=True):
        name = type(entry.command).__name__
        if isinstance(result, DomainError):
            services.metrics.outcomes.labels(name, result.code).inc()
            results[entry.index] = _failed(entry.index, entry.item, result)
        else:
            services.metrics.outcomes.labels(name, result.status).inc()
            results[entry.index] = {
                "index": entry.index, "message_id": entry.item.message_id,
                "status": answer_status(entry.command, result), "outcome": outcome_json(result),
            }  # fmt: skip
    failed = sum(1 for r in results if r is not None and r["status"] >= 400)
    return JSONResponse({"accepted": len(results) - failed, "failed": failed, "results": results})


def _apply(
    services: Services, envelope: Envelope, parsed: list[_Parsed]
) -> list[Outcome | DomainError]:
    if not parsed:
        return []
    batch = [BatchItem(p.command, envelope.provenance(p.item.message_id)) for p in parsed]
    return services.hub.handle_batch(batch)


def _failed(index: int, item: Item, error: DomainError) -> dict[str, Any]:
    body = problem_body(error)
    return {"index": index, "message_id": item.message_id, "status": body["status"],
            "problem": body}  # fmt: skip
