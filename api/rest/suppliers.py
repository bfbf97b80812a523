"""Supplier master data from the ERP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.rest import examples
from api.rest.answers import APPLIED
from api.rest.problems import PROBLEMS
from api.services import EnvelopeDep, IdempotencyKey, ServicesDep, submit
from domain import commands as c
from domain import limits
from domain.limits import MAX_REFERENCES, Code, Name, PartyId
from domain.supplier import ChannelId

router = APIRouter(prefix="/suppliers", tags=["suppliers"], responses=PROBLEMS)


@dataclass(frozen=True)
class SupplierRecord:
    name: Name
    erp_id: PartyId = ""
    channel_ids: Annotated[tuple[ChannelId, ...], MAX_REFERENCES] = ()
    status: Code = "active"


limits.forbid_unknown_fields(SupplierRecord)


@router.put("/{supplier}", summary="Create or update a supplier", responses=APPLIED)
async def upsert(
    supplier: PartyId,
    body: Annotated[SupplierRecord, Body(openapi_examples=examples.SUPPLIER)],
    services: ServicesDep, envelope: EnvelopeDep, key: IdempotencyKey,
) -> JSONResponse:  # fmt: skip
    command = c.UpsertSupplier(supplier, body.name, body.erp_id, body.channel_ids, body.status)
    return await submit(services, envelope, key, command)
