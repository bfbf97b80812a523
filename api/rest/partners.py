"""Trading partners' profiles (admin): put a version, read the current one and the history,
roll back. The route only translates: the composition root puts the desk on the app
(`app.state.partners`, api/partners.py); every change is a new version, nothing is deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool

from api.auth import Role
from api.partners import NoPartners, PartnerDesk
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep

router = APIRouter(prefix="/partners", tags=["partners"], responses=PROBLEMS)


class Partner(pydantic.BaseModel):
    partner: str
    supplier: str
    version: int
    profile: dict[str, Any] = pydantic.Field(
        description="The profile's JSON (docs/edi.md, docs/cxml.md); a cXML secret's hash "
        'shows as "(redacted)", which a PUT may send back to keep it'
    )


class Partners(pydantic.BaseModel):
    partners: list[Partner]


class Change(pydantic.BaseModel):
    partner: str
    version: int = pydantic.Field(description="The partner's current version")
    written: bool = pydantic.Field(description="False: it already was; nothing was written")


class Version(pydantic.BaseModel):
    version: int
    kind: str = pydantic.Field(description="registered, revised or rolled back")
    at: datetime
    actor: str = pydantic.Field(description="Who: the token's subject, cli:<user>, inbox:<file>")
    changed: list[str] = pydantic.Field(description="The fields it changed, never their values")
    to_version: int | None = None


class Versions(pydantic.BaseModel):
    partner: str
    versions: list[Version]


class Rollback(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    version: int = pydantic.Field(ge=1, description="The version whose profile becomes current")


_PROFILE = Body(
    description="The partner's profile as JSON; `cxml.secret` (plain, stored only hashed) or "
    "`cxml.secret_hash`",
    openapi_examples={
        "x12": {
            "summary": "An X12 partner",
            "value": {
                "partner": "acme", "supplier": "SUP-ACME", "dialect": "x12",
                "version": "005010", "ours": {"qualifier": "ZZ", "id": "BUYERHUB"},
                "theirs": {"qualifier": "ZZ", "id": "ACME"}, "units": {"EA": "EA"},
                "edi": {"test": False, "ack_within_minutes": 60},
            },
        }
    },
)  # fmt: skip


def _desk(request: Request) -> PartnerDesk:
    desk: PartnerDesk = getattr(request.app.state, "partners", None) or NoPartners()
    return desk


@router.get("", summary="Every trading partner's current profile (admin)")
async def list_partners(request: Request, principal: PrincipalDep) -> Partners:
    principal.require(Role.ADMIN)
    found = await run_in_threadpool(_desk(request).all)
    return Partners(partners=[Partner.model_validate(each, from_attributes=True) for each in found])


@router.put("/{partner}", summary="Put a partner's profile: a new version if it changed (admin)")
async def put_partner(
    partner: str,
    document: Annotated[dict[str, Any], _PROFILE],
    request: Request,
    principal: PrincipalDep,
) -> Change:
    principal.require(Role.ADMIN)
    done = await run_in_threadpool(_desk(request).put, partner, document, principal.subject)
    return Change.model_validate(done, from_attributes=True)


@router.get("/{partner}", summary="A partner's current profile, its secret redacted (admin)")
async def show_partner(partner: str, request: Request, principal: PrincipalDep) -> Partner:
    principal.require(Role.ADMIN)
    found = await run_in_threadpool(_desk(request).show, partner)
    return Partner.model_validate(found, from_attributes=True)


@router.get("/{partner}/versions", summary="Every version: when, who, what changed (admin)")
async def partner_versions(partner: str, request: Request, principal: PrincipalDep) -> Versions:
    principal.require(Role.ADMIN)
    found = await run_in_threadpool(_desk(request).versions, partner)
    return Versions(
        partner=partner,
        versions=[Version.model_validate(each, from_attributes=True) for each in found],
    )


@router.post("/{partner}/rollback", summary="Make an earlier version current again (admin)")
async def roll_back(
    partner: str, body: Rollback, request: Request, principal: PrincipalDep
) -> Change:
    principal.require(Role.ADMIN)
    desk = _desk(request)
    done = await run_in_threadpool(desk.roll_back, partner, body.version, principal.subject)
    return Change.model_validate(done, from_attributes=True)
