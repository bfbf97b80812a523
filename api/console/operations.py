"""The console's operator pages: dead letters with retry and drop, one purchase order's
trace, and the KPIs over time. Routes only translate: the release is the composition root's
(the one `supplyhub dlq` runs), the trace and the series are the read side's."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, Literal

import pydantic
from fastapi import APIRouter, Path, Query
from pydantic import ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.auth import INTERNAL
from api.console import OPERATORS, RELEASERS
from api.dead_letters import DeadLetterAction, DeadLetters, DeadLetterView
from api.rest.problems import PROBLEMS
from api.services import PrincipalDep, Services, ServicesDep
from api.technical import NoTechnicalDesk, ParkedDocument, SentDocument, TechnicalDesk
from domain import limits
from domain.errors import NotFoundError, ValidationError
from domain.identity import document_id
from projections.read_models import SupplierKpis
from projections.trace import documents_of, timeline

JSON = "application/json"


router = APIRouter(prefix="/console", tags=["console"], responses=PROBLEMS)


class Release(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, pydantic.Field(min_length=1, max_length=500)]


@router.get("/dead-letters", summary="Dead letters and held commands, and the latest releases")
async def dead_letters(principal: PrincipalDep, services: ServicesDep) -> DeadLetters:
    principal.require(*OPERATORS)
    return await run_in_threadpool(services.dead_letters.list)


@router.post(
    "/dead-letters/{document}/{action}",
    summary="Retry or drop a document's dead letter, then apply what waits behind it",
)
async def release(
    document: Annotated[str, Path(max_length=300)],
    action: Literal["retry", "drop"],
    body: Release,
    principal: PrincipalDep,
    services: ServicesDep,
) -> DeadLetterAction:
    principal.require(*RELEASERS)
    return await run_in_threadpool(
        lambda: services.dead_letters.release(
            document, retry=action == "retry", actor=principal.subject, reason=body.reason
        )
    )


@dataclass(frozen=True)
class Step:
    document: str
    event: str
    version: int
    recorded_at: datetime
    at: datetime
    actor: str
    channel: str
    message_id: str
    correlation_id: str
    causation_id: str
    revision: int
    payload_ref: str
    # "event": one of the log's; "sent": a document the hub sent a partner (an 850, a cXML
    # OrderRequest), caused by the order's event it was sent for; "answer": the partner's
    # functional answer to it (997, CONTRL, cXML status), caused by the document sent.
    kind: Literal["event", "sent", "answer"] = "event"


@dataclass(frozen=True)
class Trace:
    number: str
    supplier: str
    documents: list[str]
    steps: list[Step]
    dead_letters: list[DeadLetterView]  # what is stuck on any of its documents
    parked: list[ParkedDocument]  # interchanges refused for their syntax that name it
    purchase_orders: list[str]  # the order itself; for an ASN, receipt or invoice, its orders


@router.get(
    "/purchase-orders/{number}/trace",
    summary="Every event about a purchase order and its ASNs, receipts, invoices and cases",
)
async def trace(
    number: limits.DocumentNumber, request: Request, principal: PrincipalDep,
    services: ServicesDep,
) -> Trace:  # fmt: skip
    principal.require(*OPERATORS)
    desk: TechnicalDesk = getattr(request.app.state, "technical", None) or NoTechnicalDesk()
    return await run_in_threadpool(_trace, services, desk, number)


def _trace(services: Services, desk: TechnicalDesk, number: str) -> Trace:
    po = services.read_models.purchase_order(number, None)
    if po is None:
        raise NotFoundError("purchase order", number)
    own = documents_of(po, ())  # the order, its ASNs, receipts and invoices
    labels = documents_of(po, services.read_models.cases_on(po.supplier, own))
    portal = f"portal:{number}"  # the supplier's first look at each revision, if it looked
    found = _traced(services, desk, number, po.supplier, (*labels, portal), [number])
    steps = [*found.steps, *_channel_steps(found.steps, number, desk.sent_about(number))]
    steps.sort(key=lambda step: (step.at, step.recorded_at))  # stable: the log's order kept
    looked = any(step.document == portal for step in steps)
    return replace(found, steps=steps, documents=[*labels, portal] if looked else list(labels))


def _channel_steps(events: list[Step], number: str, sent: list[SentDocument]) -> list[Step]:
    """Each document sent about the order as a step after the order's event it was sent for
    (its correlation, caused by that event's message), and the partner's answer to it as a
    step caused by the document."""
    label = f"po:{number}"
    causes = {step.version: step for step in events if step.document == label}
    steps = []
    for doc in sent:
        cause = causes.get(doc.order_version)
        at = doc.sent_at or (cause.at if cause else None)
        if at is None:
            continue  # neither sent nor traceable to an event: nothing to place it by
        correlation = cause.correlation_id if cause else ""
        steps.append(Step(
            label, f"{doc.document} sent to {doc.partner}", doc.order_version, at, at, "hub",
            doc.channel, doc.document, correlation, cause.message_id if cause else "",
            cause.revision if cause else 0, doc.payload_ref, "sent",
        ))  # fmt: skip
        if doc.answer and doc.answered_at is not None:
            said = doc.answer if doc.detail in doc.answer else f"{doc.answer}: {doc.detail}"
            steps.append(Step(
                label, said, doc.order_version, doc.answered_at, doc.answered_at, doc.partner,
                doc.channel, "", correlation, doc.document, cause.revision if cause else 0, "",
                "answer",
            ))  # fmt: skip
    return steps


def _traced(services: Services, desk: TechnicalDesk, name: str, supplier: str,
            labels: tuple[str, ...], orders: list[str]) -> Trace:  # fmt: skip
    steps = [
        Step(s.document, s.entry.event, s.entry.version, s.entry.recorded_at, s.entry.at,
             s.entry.actor, s.entry.channel, s.entry.message_id, s.entry.correlation_id,
             s.entry.causation_id, s.entry.revision, s.entry.payload_ref)
        for s in timeline(labels, services.read_models.histories)
    ]  # fmt: skip
    stuck = [d for d in services.dead_letters.list().letters
             if d.document in labels or d.purchase_order in orders]  # fmt: skip
    parked = [p for p in desk.channels().parked if set(orders) & set(p.purchase_orders)]
    return Trace(name, supplier, list(labels), steps, stuck, parked, orders)


# A document's label kind -> the prefix of its link row in the purchase order view.
_LINKS = {"asn": "shipment", "receipt": "goodsreceipt", "invoice": "invoice"}


@router.get(
    "/documents/{document}/trace",
    summary="One ASN's, goods receipt's or invoice's events and its cases, with its orders",
)
async def document_trace(
    document: Annotated[str, Path(max_length=300, examples=["asn:SUP-ACME:ASN-1"])],
    request: Request, principal: PrincipalDep, services: ServicesDep,
) -> Trace:  # fmt: skip
    principal.require(*OPERATORS)
    desk: TechnicalDesk = getattr(request.app.state, "technical", None) or NoTechnicalDesk()
    return await run_in_threadpool(_document_trace, services, desk, document)


def _document_trace(services: Services, desk: TechnicalDesk, label: str) -> Trace:
    kind, _, key = label.partition(":")
    if kind not in _LINKS or not key:
        raise ValidationError(
            "document", "asn:<supplier>:<ASN>, receipt:<number> or invoice:<supplier>:<number>"
        )
    read = services.read_models
    ids = read.linked_orders(f"{_LINKS[kind]}:{document_id(kind, key)}")
    views = [v for v in (read.purchase_order_with_id(i) for i in ids) if v is not None]
    if not views:
        raise NotFoundError("document", label)
    supplier = views[0].supplier
    cases = [f"exception:{c.key}" for c in read.cases_on(supplier, (label,))]
    return _traced(services, desk, label, supplier, (label, *cases), [v.number for v in views])


@dataclass(frozen=True)
class KpiPoint:
    supplier: str
    start: date
    kpis: SupplierKpis


_POINTS = pydantic.TypeAdapter(list[KpiPoint])


@router.get(
    "/kpis",
    summary="The KPIs per supplier and day or week of the orders' release, over a window",
    response_model=list[KpiPoint],
)
async def kpis(
    request: Request,
    principal: PrincipalDep,
    services: ServicesDep,
    period: Annotated[Literal["day", "week"], Query()] = "week",
    since: Annotated[
        date | None,
        Query(alias="from", description="first day (YYYY-MM-DD); a week is whole if it meets it"),
    ] = None,
    until: Annotated[
        date | None,
        Query(alias="to", description="last day (YYYY-MM-DD); default: the newest release"),
    ] = None,
) -> Response:
    """By default the latest 90 days (per day) or 52 weeks (per week) up to the newest
    release; `from` alone reads from it to the newest release, `to` alone the 90 days or
    52 weeks up to it."""
    principal.require(*INTERNAL)
    if unknown := sorted(set(request.query_params) - _KPI_PARAMETERS):  # as unknown fields are
        raise ValidationError(
            unknown[0], "unknown query parameter; this route takes period, from, to"
        )
    body = await run_in_threadpool(_series, services, period, since, until)
    return Response(body, media_type=JSON)


_KPI_PARAMETERS = {"period", "from", "to"}


def _series(services: Services, period: str, since: date | None, until: date | None) -> bytes:
    """Every order of the window goes into the series: computed once per position of the
    views and window."""
    key = f"kpis\0{period}\0{since}\0{until}\0{services.read_models.position()}"
    if (found := services.console_cache.get(key)) is not None:
        return found
    series = services.read_models.kpi_series(None, period, since, until)
    body = _POINTS.dump_json([KpiPoint(p.kpis.supplier, p.start, p.kpis) for p in series])
    services.console_cache.put(key, body)
    return body
