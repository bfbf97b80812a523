"""Console benchmark: the data calls the console's pages make, on a log of 200,000 events in
PostgreSQL, against the plain JSON of the same rows (read straight from the view tables and
json-dumped, served by a bare route of the same server).

    .venv/bin/python tests/api/bench_console.py [--events 200000] [--requests 200] [--quick]
        [--database URL] [--profile]

The log is the demo scenario (releases, revisions, acknowledgements, ASNs, receipts,
invoices, exception cases over four suppliers) for as many purchase orders as it takes,
then the views caught up. One uvicorn in a thread, one client, sequential requests: each
figure is one call's latency as a browser tab would see it. The KPI series are also timed
computed with no cache and no HTTP (what the first chart call after a new position costs),
in the window the charts ask by default and over every day of the log, beside the old
computation (every order view decoded: tests/projections/kpi_oracle.py) on the same data.
`--database URL` reuses a log seeded before (schema `console`) instead of starting
PostgreSQL and seeding (minutes on a loaded machine). `--profile` only profiles the KPI
series on the seeded log (CPU time per call, cProfile's top functions) and stops. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import json
import math
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "api"), str(ROOT / "tests" / "projections")
]  # fmt: skip

import kpi_oracle  # noqa: E402
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
from projections.stores.view_store import Range  # noqa: E402
from storage import view_codec  # noqa: E402
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
# The console's first page of a drill-down (a count clicked): 50 open cases of one category,
# with the total, as console-queue.js asks it.
EXCEPTIONS_CATEGORY = EXCEPTIONS.replace(
    "status: open, first: 100", "category: quantity_variance, first: 50"
).replace("endCursor", "totalCount endCursor")
ORDERS = """query($after: String) { purchaseOrders(first: 100, after: $after) {
  items { number needsAction invoices { invoiceNumber matchStatus } } endCursor hasNextPage } }"""
# The series as the charts ask by default (a window), and over every day of the log.
SERIES = (("week", "the latest 52 weeks"), ("day", "the latest 90 days"))
EVERY_DAY = date(1, 1, 1)
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

    async def kpi_rows(request: Request) -> Response:  # what the KPI view sums and ranks
        facts = store.select("kpis", {"kind": "fact", "member": 1}, order="key")
        return dumped(facts + store.select("kpis", {"kind": "latency", "member": 1}, order="key"))

    async def counts(request: Request) -> Response:  # the counts' rows: statuses and flags
        return dumped(store.select("exceptions", {"status": "open"}, order="key", limit=1))

    async def blocked(request: Request) -> Response:  # the orders with a blocked invoice
        some = {"blocked_invoices": Range(low=1)}
        return dumped(store.select("purchase_orders", {"kind": "po"}, some, "number", limit=51))

    async def category(request: Request) -> Response:  # one category's open cases
        wanted = {"status": "open", "category": "quantity_variance"}
        return dumped(store.select("exceptions", wanted, order="key", limit=51))

    async def trace(request: Request) -> Response:
        po = store.select("purchase_orders", {"kind": "po", "number": number}, limit=1)
        history = store.select(
            "audit_trail", {"document_id": str(PurchaseOrder.create_id(number))}, order="key"
        )
        return dumped(po + history)

    routes = [
        Route("/raw/exceptions", exceptions), Route("/raw/orders", orders),
        Route("/raw/kpis", kpis), Route("/raw/trace", trace), Route("/raw/counts", counts),
        Route("/raw/blocked", blocked), Route("/raw/category", category),
    ]  # fmt: skip
    if "kpis" in read_side.names():  # (a tree before the KPI view has none: run it there too)
        routes.append(Route("/raw/kpi-rows", kpi_rows))
    return routes


def old_computation(read_side: ReadSide, repeat: int) -> list[tuple[str, list[float]]]:
    """The KPIs as computed before the KPI view (tests/projections/kpi_oracle.py): every
    purchase order view read and decoded, then folded; timed on the same data."""
    store = read_side.store
    found = []
    for name, compute in [
        ("kpis (table), the old computation", kpi_oracle.kpis),
        ("kpis per week, the old computation", lambda v: kpi_oracle.kpi_series(v, "week")),
        ("kpis per day, the old computation", lambda v: kpi_oracle.kpi_series(v, "day")),
    ]:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            docs = store.select("purchase_orders", {"kind": "po"}, order="number")
            compute(view_codec.decode(doc) for doc in docs)
            samples.append(time.perf_counter() - started)
        found.append((name, samples))
    return found


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


def profile_series(read_side: ReadSide, repeat: int) -> None:
    """The KPI series as the route computes them after a new position: CPU time of this
    process per call (the SQL's own time is the database's: wall time minus CPU, roughly),
    then where that CPU goes. CPU time, not wall time: the machine is shared."""
    read = read_side.read_models
    for (period, window), since in itertools.product(SERIES, (None, EVERY_DAY)):
        cpu, wall = [], []
        for _ in range(repeat):
            started, ticked = time.process_time(), time.perf_counter()
            points = read.kpi_series(None, period, since)
            cpu.append(time.process_time() - started)
            wall.append(time.perf_counter() - ticked)
        print(
            f"kpis per {period}, {window if since is None else 'every day'}: {len(points)} "
            f"points, CPU {statistics.median(cpu) * 1000:.1f} ms per call (p50), "
            f"wall {statistics.median(wall) * 1000:.1f} ms (p50)"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            read.kpi_series(None, period, since)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20,000 events, 50 requests")
    parser.add_argument(
        "--database", help="a PostgreSQL URL whose schema `console` holds a log already (kept)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the KPI series only, then stop"
    )
    args = parser.parse_args()
    if args.quick:
        args.events, args.requests = 20_000, 50
    if args.database:
        measure(args, args.database)
        return
    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp)) as server:
        measure(args, server.create_database(f"bench_{uuid.uuid4().hex[:8]}"))


def measure(args: argparse.Namespace, url: str) -> None:
    settings = Settings(database_url=url, database_schema="console", dev_mode=True)
    hub = open_hub(settings)
    head = hub.recorder.max_notification_id() or 0
    if head == 0:  # (a database given with --database keeps its log: seeded once)
        head = seed(hub, args.events)
    read_side = open_read_side(settings, hub)
    started = time.perf_counter()
    read_side.runner.catch_up()
    print(f"log: {head} events; views caught up in {time.perf_counter() - started:.0f} s")
    if args.profile:
        profile_series(read_side, max(10, args.requests // 10))
        read_side.close()
        hub.close()
        return
    page = read_side.read_models.purchase_orders
    number = next(po.number for po in page(None, PurchaseOrderFilter(), 100).items if po.invoices)
    # What the first KPI chart call after a new position costs (the route caches the
    # series per position): the series computed, no HTTP, no cache.
    computed: list[tuple[str, list[float]]] = []
    for (period, window), since in itertools.product(SERIES, (None, EVERY_DAY)):
        samples = []
        for _ in range(max(20, args.requests // 10)):
            started = time.perf_counter()
            read_side.read_models.kpi_series(None, period, since)
            samples.append(time.perf_counter() - started)
        shown = window if since is None else "every day"
        computed.append((f"kpis per {period}, {shown}, computed", samples))
    computed.extend(old_computation(read_side, max(5, args.requests // 40)))
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
            ("  uncached, totalCount breached", graphql(CASES_COUNTED, False), "/raw/counts"),
            ("  uncached, 50 of a category + total", graphql(EXCEPTIONS_CATEGORY, False),
             "/raw/category"),
            ("purchase orders, page of 100", graphql(ORDERS), "/raw/orders"),
            ("  the same, uncached", graphql(ORDERS, False), "/raw/orders"),
            ("kpis (table)", graphql(KPIS), "/raw/kpis"),
            ("  the same, uncached", graphql(KPIS, False), "/raw/kpis"),
            ("  uncached, vs the KPI view's rows", graphql(KPIS, False), "/raw/kpi-rows"),
            ("kpis per week (charts)", lambda: client.get("/console/kpis"), "/raw/kpis"),
            ("kpis per day (charts)", lambda: client.get("/console/kpis?period=day"),
             "/raw/kpis"),
            ("trace of one order", lambda: client.get(
                f"/console/purchase-orders/{number}/trace"), "/raw/trace"),
            ("console counts (GET /console/counts)", lambda: client.get("/console/counts"),
             "/raw/counts"),
            ("blocked invoices, page of 50", lambda: client.get("/console/blocked-invoices"),
             "/raw/blocked"),
            ("counts by walking every page, uncached", lambda: walked_counts(graphql), ""),
            ("dead letters", lambda: client.get("/console/dead-letters"), ""),
            ("projection positions", lambda: client.get("/console/projections"), ""),
            ("session", lambda: client.get("/console/session"), ""),
        ]  # fmt: skip
        print(f"{'call':<44} {'p50 ms':>8} {'p99 ms':>8} {'raw p99':>8} {'ratio':>6}  <200")
        for name, samples in computed:
            print(
                f"{name:<44} {statistics.median(samples) * 1000:>8.1f} "
                f"{p99(samples):>8.1f} {'-':>8} {'-':>6}  "
                f"{'yes' if p99(samples) < TARGET_MS else 'NO'}"
            )
        names = {route.path for route in app.router.routes if isinstance(route, Route)}
        for name, call, raw in calls:
            if raw and raw not in names:
                continue
            # Calls that read every order take seconds: fewer of them (p99 ~ the maximum).
            every_order = raw in ("/raw/kpis", "/raw/kpi-rows") or name.startswith("counts by")
            count = max(10, args.requests // 10) if every_order else args.requests
            ours = timed(call, count)
            base_p99 = p99(timed(lambda r=raw: client.get(r), count)) if raw else 0
            ratio = f"{p99(ours) / base_p99:.1f}" if base_p99 else "-"
            base = f"{base_p99:.1f}" if raw else "-"
            print(
                f"{name:<44} {statistics.median(ours) * 1000:>8.1f} {p99(ours):>8.1f} "
                f"{base:>8} {ratio:>6}  {'yes' if p99(ours) < TARGET_MS else 'NO'}"
            )
    read_side.close()
    hub.close()


if __name__ == "__main__":
    main()
