"""Console benchmark: the data calls the console's pages make, on a log of 200,000 events in
PostgreSQL, against the plain JSON of the same rows (read straight from the view tables and
json-dumped, served by a bare route of the same server).

    .venv/bin/python tests/api/bench_console.py [--events 200000] [--requests 200] [--quick]

The log is the demo scenario (releases, revisions, acknowledgements, ASNs, receipts,
invoices, exception cases over four suppliers) for as many purchase orders as it takes,
then the views caught up. One uvicorn in a thread, one client, sequential requests: each
figure is one call's latency as a browser tab would see it. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "api")]

from live_server import serving_app  # noqa: E402
from servers import start_postgres  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from api.auth import Role  # noqa: E402
from connectors.demo import Scenario  # noqa: E402
from domain.application import SupplyHub  # noqa: E402
from domain.errors import DomainError  # noqa: E402
from domain.purchase_order import PurchaseOrder  # noqa: E402
from projections.read_models import PurchaseOrderFilter  # noqa: E402
from storage.gc_pause import freeze_long_lived  # noqa: E402
from supplyhub.bootstrap import open_hub  # noqa: E402
from supplyhub.cli.api import auth_config, build_app  # noqa: E402
from supplyhub.read_side import ReadSide, open_read_side  # noqa: E402
from supplyhub.settings import Settings  # noqa: E402

EVENTS_PER_ORDER = 10.8  # the demo scenario's average (19,833 events for 1,818 orders)
TARGET_MS = 200.0
EXCEPTIONS = """query($after: String) { exceptions(status: open, first: 100, after: $after) {
  items { key category document supplier ownerRole owner status reason openedAt dueAt
  purchaseOrder { number } } endCursor hasNextPage } }"""
# The same page without each case's order: what the per-case `purchaseOrder` costs.
EXCEPTIONS_BARE = EXCEPTIONS.replace("purchaseOrder { number }", "")
# The queue filtered in the store: the buyers' open cases past their due time, and a count.
EXCEPTIONS_BREACHED = EXCEPTIONS.replace("status: open", "breached: true, ownerRole: buyer")
CASES_COUNTED = """{ exceptions(breached: true, first: 1) { totalCount } }"""
ORDERS = """query($after: String) { purchaseOrders(first: 100, after: $after) {
  items { number needsAction invoices { invoiceNumber matchStatus } } endCursor hasNextPage } }"""
KPIS = """{ kpis { supplier plant ackLatencyMedianHours ackWithinSlaShare asnOnTimeShare
  asnCompletenessShare invoiceExceptionRate touchlessInvoiceRate } }"""


def seed(hub: SupplyHub, events: int) -> int:
    orders = max(36, math.ceil(events / EVENTS_PER_ORDER))
    started = time.perf_counter()
    for n, step in enumerate(Scenario(7).steps(orders)):
        with contextlib.suppress(DomainError):  # the scenario's refusals are part of it
            hub.handle(step.command, step.provenance)
        if n % 20_000 == 0:
            head = hub.recorder.max_notification_id() or 0
            print(f"  seeding: {head} events, {time.perf_counter() - started:.0f} s", flush=True)
    return hub.recorder.max_notification_id() or 0


def raw_routes(read_side: ReadSide, number: str) -> list[Route]:
    """The baseline: the same view rows, selected and json-dumped, no query layer."""
    store = read_side.store

    def dumped(docs: list[str]) -> Response:
        return Response(json.dumps([json.loads(d) for d in docs]), media_type="application/json")

    async def exceptions(request: Request) -> Response:
        return dumped(store.select("exceptions", {"status": "open"}, order="key", limit=100))

    async def orders(request: Request) -> Response:
        return dumped(store.select("purchase_orders", {"kind": "po"}, order="number", limit=100))

    async def kpis(request: Request) -> Response:  # every order: what the KPIs are made of
        return dumped(store.select("purchase_orders", {"kind": "po"}, order="number"))

    async def counts(request: Request) -> Response:  # the counts' rows: statuses and flags
        return dumped(store.select("exceptions", {"status": "open"}, order="key", limit=1))

    async def trace(request: Request) -> Response:
        po = store.select("purchase_orders", {"kind": "po", "number": number}, limit=1)
        history = store.select(
            "audit_trail", {"document_id": str(PurchaseOrder.create_id(number))}, order="key"
        )
        return dumped(po + history)

    return [
        Route("/raw/exceptions", exceptions), Route("/raw/orders", orders),
        Route("/raw/kpis", kpis), Route("/raw/trace", trace), Route("/raw/counts", counts),
    ]  # fmt: skip


WALK_CASES = """query($after: String) { exceptions(status: open, first: 100, after: $after) {
  items { dueAt } endCursor hasNextPage } }"""
WALK_ORDERS = """query($after: String) { purchaseOrders(first: 100, after: $after) {
  items { needsAction invoices { matchStatus } } endCursor hasNextPage } }"""


def walked_counts(graphql: Callable[..., Callable[..., httpx.Response]]) -> httpx.Response:
    """The counts as the console first made them: every page of open cases and of orders."""
    answer = None
    for query, root in ((WALK_CASES, "exceptions"), (WALK_ORDERS, "purchaseOrders")):
        after = None
        while True:
            answer = graphql(query, False, {"after": after})()
            page = answer.json()["data"][root]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
    assert answer is not None
    return answer


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


def timed(call: Callable[[], httpx.Response], requests: int) -> list[float]:
    call()  # warm
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = call()
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text[:300]
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20,000 events, 50 requests")
    args = parser.parse_args()
    if args.quick:
        args.events, args.requests = 20_000, 50
    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp)) as server:
        url = server.create_database(f"bench_{uuid.uuid4().hex[:8]}")
        settings = Settings(database_url=url, database_schema="console", dev_mode=True)
        hub = open_hub(settings)
        head = seed(hub, args.events)
        read_side = open_read_side(settings, hub)
        started = time.perf_counter()
        read_side.runner.catch_up()
        print(f"log: {head} events; views caught up in {time.perf_counter() - started:.0f} s")
        page = read_side.read_models.purchase_orders
        number = next(
            po.number for po in page(None, PurchaseOrderFilter(), 100).items if po.invoices
        )
        uncached = []
        for _ in range(5):  # what the first KPI chart call after a new position costs
            started = time.perf_counter()
            read_side.read_models.kpi_series(None, "week")
            uncached.append(time.perf_counter() - started)
        print(
            "kpi series per week, computed (uncached): "
            f"median {statistics.median(uncached) * 1000:.0f} ms"
        )
        app = build_app(settings, hub, read_side.read_models, projections=read_side.status)
        app.router.routes.extend(raw_routes(read_side, number))
        freeze_long_lived()  # as `serve` does before it takes requests
        bearer = {"Authorization": f"Bearer {auth_config(settings).issue(Role.ADMIN, 'bench')}"}
        with (
            serving_app(app) as base,
            httpx.Client(base_url=base, headers=bearer, timeout=120) as client,
        ):
            fresh = itertools.count()

            def graphql(
                query: str, cached: bool = True, variables: dict[str, object] | None = None
            ) -> Callable[[], httpx.Response]:
                """Cached: the same body again (the response cache answers while the views
                stay at one position). Uncached: a comment makes each body new."""
                body = {"query": query, "variables": variables or {}}
                if cached:
                    return lambda: client.post("/graphql", json=body)
                return lambda: client.post(
                    "/graphql", json=body | {"query": f"{query} # {next(fresh)}"}
                )

            calls: list[tuple[str, Callable[[], httpx.Response], str]] = [
                ("exception queue, page of 100", graphql(EXCEPTIONS), "/raw/exceptions"),
                ("  the same, uncached", graphql(EXCEPTIONS, False), "/raw/exceptions"),
                ("  uncached, without purchaseOrder", graphql(EXCEPTIONS_BARE, False),
                 "/raw/exceptions"),
                ("  uncached, breached buyers' cases", graphql(EXCEPTIONS_BREACHED, False),
                 "/raw/exceptions"),
                ("  uncached, totalCount breached", graphql(CASES_COUNTED, False),
                 "/raw/counts"),
                ("purchase orders, page of 100", graphql(ORDERS), "/raw/orders"),
                ("  the same, uncached", graphql(ORDERS, False), "/raw/orders"),
                ("kpis (table)", graphql(KPIS), "/raw/kpis"),
                ("  the same, uncached", graphql(KPIS, False), "/raw/kpis"),
                ("kpis per week (charts)", lambda: client.get("/console/kpis"), "/raw/kpis"),
                ("trace of one order", lambda: client.get(
                    f"/console/purchase-orders/{number}/trace"), "/raw/trace"),
                ("console counts (GET /console/counts)", lambda: client.get("/console/counts"),
                 "/raw/counts"),
                ("counts by walking every page, uncached", lambda: walked_counts(graphql), ""),
                ("dead letters", lambda: client.get("/console/dead-letters"), ""),
                ("projection positions", lambda: client.get("/console/projections"), ""),
                ("session", lambda: client.get("/console/session"), ""),
            ]  # fmt: skip
            print(f"{'call':<34} {'p50 ms':>8} {'p99 ms':>8} {'raw p99':>8} {'ratio':>6}  <200")
            for name, call, raw in calls:
                # Calls that read every order take seconds: fewer of them (p99 ~ the maximum).
                every_order = raw == "/raw/kpis" or name.startswith("counts by walking")
                count = max(10, args.requests // 10) if every_order else args.requests
                ours = timed(call, count)
                base_p99 = p99(timed(lambda r=raw: client.get(r), count)) if raw else 0
                ratio = f"{p99(ours) / base_p99:.1f}" if base_p99 else "-"
                base = f"{base_p99:.1f}" if raw else "-"
                print(
                    f"{name:<34} {statistics.median(ours) * 1000:>8.1f} {p99(ours):>8.1f} "
                    f"{base:>8} {ratio:>6}  {'yes' if p99(ours) < TARGET_MS else 'NO'}"
                )
        read_side.close()
        hub.close()


if __name__ == "__main__":
    main()
