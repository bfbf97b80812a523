"""The ERP or WMS posts goods receipts against PO lines and ASNs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.rest import examples
from api.rest.answers import CREATED
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, IdempotencyKey, ServicesDep, submit
from domain import commands as c

router = APIRouter(prefix="/goods-receipts", tags=["goods receipts"], responses=PROBLEMS)


@router.post("", status_code=201, summary="Post a goods receipt", responses=CREATED)
async def post_receipt(
    command: Annotated[c.PostGoodsReceipt, Body(openapi_examples=examples.RECEIPT)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    return await submit(services, envelope, key, command)
