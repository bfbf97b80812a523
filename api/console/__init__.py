"""The operations console: one page of our own HTML, JS and CSS (in `static/`) that signs in
with a hub token and reads and works the hub through the same GraphQL API as the portals."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from api.auth import INTERNAL, Role
from api.graphql.visibility import ROOTS
from api.pages import package_files
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep, ServicesDep
from projections.runner import ProjectionStatus

CONSOLE_ASSETS = "/static/console"
# Who sees the technical section (positions and lag of the read side); admin always may.
OPERATORS = frozenset({Role.BUYER, Role.AUDITOR, Role.ADMIN})
# Who may retry and drop dead letters (api/console/operations.py).
RELEASERS = frozenset({Role.ADMIN})

# The console's own files only: no inline script or style, nothing from another origin.
CONSOLE_POLICY = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def console_routes() -> list[BaseRoute]:
    """GET /console and its assets; the data comes from /graphql, /readyz and the session."""
    static = package_files("api.console", "static")  # found once, not on every request

    async def page(request: Request) -> Response:
        return FileResponse(static / "console.html", headers=CONSOLE_POLICY)

    async def trace_page(request: Request) -> Response:
        # One purchase order's timeline; its data is GET /console/purchase-orders/{n}/trace.
        return FileResponse(static / "trace.html", headers=CONSOLE_POLICY)

    return [
        Route("/console", page, methods=["GET"]),
        Route("/console/trace/{number}", trace_page, methods=["GET"]),
        Mount(CONSOLE_ASSETS, StaticFiles(directory=static)),
    ]


@dataclass(frozen=True)
class ConsoleSession:
    """Who the token names, and what the console offers that role."""

    subject: str
    role: str
    may_work_cases: bool  # assign and resolve exception cases
    may_see_technical: bool  # projection positions and lag, dead letters, traces
    may_release_dead_letters: bool  # retry and drop (the operator: admin)


router = APIRouter(prefix="/console", tags=["console"], responses=PROBLEMS)


@router.get(
    "/session",
    summary="The console's sign-in: the token's role, refused for suppliers and connectors",
)
async def session(principal: PrincipalDep) -> ConsoleSession:
    principal.require(*INTERNAL)
    workers = ROOTS["Mutation.resolveException"]
    role = principal.role
    return ConsoleSession(
        principal.subject, role, role in workers, role in OPERATORS, role in RELEASERS
    )


@router.get("/projections", summary="Each projection's position in the log and its lag")
async def projections(principal: PrincipalDep, services: ServicesDep) -> list[ProjectionStatus]:
    principal.require(*OPERATORS)
    return list(await run_in_threadpool(services.projections))
