"""Live updates: commit -> update received, with 500 open subscriptions at 200 commands/s.

    .venv/bin/python tests/api/bench_live.py [--seconds 10] [--rate 200] [--subscribers 500]
                                             [--orders 100] [--store postgres|sqlite]
                                             [--profile PATH]

The hub runs as `supplyhub serve` would (one uvicorn worker, the projection runner in the same
process) in a subprocess, on PostgreSQL by default. Each subscriber is its own WebSocket
(graphql-transport-ws) following `documentTimeline` of one of `--orders` purchase orders, as a
supplier's portal page would; each command is the ERP revising a random one of those orders
over REST (`POST /api/v1/purchase-orders`), so each update reaches that order's followers.
An update is matched to its command by its `messageId` (the command's Idempotency-Key);
latency is from the command's answer (the events are committed) to the update's arrival.

Baseline, same machine, same client, same shape: a bare Starlette WebSocket server in a
subprocess fans a message of the same size out to the same followers when it receives the
same POST: what HTTP in and WebSockets out cost with no hub behind them.
Prints figures; asserts nothing (timings on a shared machine are noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from servers import serving_subprocess  # noqa: E402

from api.auth import AuthConfig, Role  # noqa: E402
from domain import commands as c  # noqa: E402
from domain.order_line import OrderLine  # noqa: E402
from domain.provenance import Channel, Provenance  # noqa: E402
from supplyhub.settings import Settings  # noqa: E402

SECRET = "benchmark-secret-of-at-least-32-characters"
TIMELINE = """subscription($n: String!) { documentTimeline(number: $n) {
  event version recordedAt channel messageId correlationId causationId revision payloadRef } }"""
WARM_UP_SECONDS = 2.0


def number(n: int) -> str:
    return f"45{n:08d}"


# --- the servers (subprocesses of this script) ------------------------------------------------


def seed(settings: Settings, orders: int) -> None:
    from supplyhub.bootstrap import open_hub
    from supplyhub.read_side import open_read_side

    hub = open_hub(settings)
    at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

    def erp(key: str) -> Provenance:
        return Provenance(key, key, key, "erp", Channel.ERP, at)

    hub.handle(c.UpsertSupplier("SUP-ACME", "Acme Precision GmbH"), erp("s1"))
    for n in range(orders):
        line = OrderLine(10, "ITEM-1", Decimal(100), "EA", Decimal("4.75"), date(2026, 12, 1),
                         "PLANT-DE01", "Part")  # fmt: skip
        hub.handle(c.ReleasePurchaseOrder(number(n), "SUP-ACME", "EUR", (line,)), erp(f"p{n}"))
    read_side = open_read_side(settings, hub)
    read_side.runner.catch_up()
    read_side.close()
    hub.close()


def serve_hub(port: int) -> None:
    import uvicorn

    from storage.gc_pause import freeze_long_lived
    from supplyhub.bootstrap import open_hub
    from supplyhub.cli.api import build_app
    from supplyhub.read_side import open_read_side

    settings = Settings()
    with profiled(os.environ.get("BENCH_LIVE_PROFILE", "")):
        hub = open_hub(settings)
        read_side = open_read_side(settings, hub)
        read_side.runner.start()
        app = build_app(settings, hub, read_side.read_models, read_side.write_fault)
        read_side.runner.published.append(app.state.live.wake)  # as `supplyhub serve` does
        freeze_long_lived()  # as `supplyhub serve` does before it takes requests
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def profiled(path: str) -> Iterator[None]:
    """With `--profile PATH`: cProfile in every thread of the hub process (the event loop,
    the projection runner, the threads reads run in), merged into one pstats file."""
    if not path:
        yield
        return
    import cProfile
    import pstats
    import signal
    import threading

    profilers = [cProfile.Profile()]

    def each_thread(*_: object) -> None:  # a thread's first call: profile it from here on
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()

    # uvicorn re-raises the SIGTERM that stops it once it has shut down: exit through here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.setprofile(each_thread)
    profilers[0].enable()
    try:
        yield
    finally:
        threading.setprofile(None)
        for profiler in profilers:
            profiler.disable()
        pstats.Stats(*profilers).dump_stats(path)


def serve_baseline(port: int, size: int) -> None:
    """HTTP in, the same-size message out to the document's followers; nothing else."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    followers: dict[str, set[WebSocket]] = {}

    async def follow(ws: WebSocket) -> None:
        await ws.accept(subprotocol="graphql-transport-ws")
        document = (await ws.receive_json())["document"]
        followers.setdefault(document, set()).add(ws)
        try:
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            followers[document].discard(ws)

    async def publish(request: Request) -> JSONResponse:
        key = request.headers["idempotency-key"]
        message = json.dumps({"id": "1", "type": "next", "messageId": key})
        message += " " * max(0, size - len(message))
        for ws in tuple(followers.get(request.path_params["number"], ())):
            await ws.send_text(message)
        return JSONResponse({"status": "applied"})

    revisions = Route("/api/v1/purchase-orders/{number}/revisions", publish, methods=["POST"])
    app = Starlette(routes=[revisions, WebSocketRoute("/graphql", follow)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def write(rate: float, total: int, warm: int, orders: int, out: Path) -> None:
    """Another process than the server's commits the revisions straight into the store (as
    a connector worker would), each timed when `handle` returns: the commit."""
    from supplyhub.bootstrap import open_hub

    hub = open_hub(Settings())
    revisions = dict.fromkeys(range(orders), 1)
    committed = []
    start = time.perf_counter()
    for i in range(total):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        n = i % orders
        revisions[n] += 1
        key = f"bench-{i}" if i >= warm else f"warm-{i}"
        line = OrderLine(10, "ITEM-1", Decimal(100 + revisions[n]), "EA", Decimal("4.75"),
                         date(2026, 12, 1), "PLANT-DE01", "Part")  # fmt: skip
        at = datetime.now(UTC)
        provenance = Provenance(key, key, key, "erp", Channel.ERP, at)
        sent = time.perf_counter()
        hub.handle(c.RevisePurchaseOrder(number(n), revisions[n], (line,)), provenance)
        committed.append((key, sent, time.perf_counter()))
    rate_done = (total - warm) / (time.perf_counter() - start - warm / rate)
    out.write_text(json.dumps({"committed": committed, "rate": rate_done}))
    hub.close()


@contextmanager
def server(args: list[str], env: dict[str, str]) -> Iterator[str]:
    command = [sys.executable, __file__, "serve", *args, "{port}"]
    with serving_subprocess(command, env, "/healthz", args[0], seconds=60) as url:
        yield url


# --- the load ------------------------------------------------------------------------------------


class Run:
    def __init__(self) -> None:
        self.answered: dict[str, float] = {}  # idempotency key -> when the command answered
        self.sent: dict[str, float] = {}
        self.received: list[tuple[str, float]] = []  # (message id, when), every subscriber
        self.sizes: list[int] = []
        self.measuring = False
        self.revisions: dict[int, int] = {}
        self.locks: dict[int, asyncio.Lock] = {}


async def follower(url: str, token: str, document: str, run: Run, hub: bool) -> ClientConnection:
    ws = await connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        max_queue=None,
    )
    if hub:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": TIMELINE, "variables": {"n": document}}
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": payload}))
    else:
        await ws.send(json.dumps({"document": document}))

    async def read() -> None:
        async for raw in ws:
            now = time.perf_counter()
            if not run.measuring:
                continue
            run.sizes.append(len(raw))
            message = json.loads(raw)
            if hub:
                key = message["payload"]["data"]["documentTimeline"]["messageId"]
            else:
                key = message["messageId"]
            run.received.append((key, now))

    asyncio.get_running_loop().create_task(read())
    return ws


async def command(client: httpx.AsyncClient, url: str, n: int, key: str, run: Run) -> None:
    """The ERP revises order n (one revision at a time per order: each names the next)."""
    async with run.locks.setdefault(n, asyncio.Lock()):
        run.revisions[n] = run.revisions.get(n, 1) + 1
        line = {"line_number": 10, "item": "ITEM-1", "quantity": str(100 + run.revisions[n]),
                "uom": "EA", "unit_price": "4.75", "need_by": "2026-12-01",
                "ship_to": "PLANT-DE01"}  # fmt: skip
        body = {"revision": run.revisions[n], "lines": [line]}
        run.sent[key] = time.perf_counter()
        answer = await client.post(
            f"{url}/api/v1/purchase-orders/{number(n)}/revisions", json=body,
            headers={"Idempotency-Key": key},
        )  # fmt: skip
        run.answered[key] = time.perf_counter()
    assert answer.status_code == 200, answer.text


async def load(
    url: str, subscribers: int, orders: int, rate: float, seconds: float, hub: bool,
    direct: dict[str, str] | None = None,
) -> Run:  # fmt: skip
    run = Run()
    supplier = AuthConfig(SECRET).issue(Role.SUPPLIER, "bench", "SUP-ACME", 3600)
    connector = AuthConfig(SECRET).issue(Role.CONNECTOR, "bench-erp", "", 3600)
    sockets = []
    for i in range(subscribers):  # in slices, so the handshakes do not all queue at once
        sockets.append(await follower(url, supplier, number(i % orders), run, hub))
    if direct is not None:
        return await load_direct(run, sockets, orders, rate, seconds, direct)
    headers = {"Authorization": f"Bearer {connector}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        tasks = []
        start = time.perf_counter()
        total = int((WARM_UP_SECONDS + seconds) * rate)
        for i in range(total):
            at = start + i / rate
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            run.measuring = run.measuring or i >= WARM_UP_SECONDS * rate
            key = f"bench-{i}" if i >= WARM_UP_SECONDS * rate else f"warm-{i}"
            tasks.append(asyncio.create_task(command(client, url, i % orders, key, run)))
        await asyncio.gather(*tasks)
        achieved = (total - WARM_UP_SECONDS * rate) / (
            time.perf_counter() - start - WARM_UP_SECONDS
        )
        run.sent["__rate__"] = achieved
        await asyncio.sleep(1.0)  # the last updates in flight
    for ws in sockets:
        await ws.close()
    return run


async def load_direct(
    run: Run, sockets: list[ClientConnection], orders: int, rate: float, seconds: float,
    env: dict[str, str],
) -> Run:  # fmt: skip
    """The commands come from a writer process; this one only receives."""
    warm = int(WARM_UP_SECONDS * rate)
    total = warm + int(seconds * rate)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "committed.json")
        command = [sys.executable, __file__, "write", str(rate), str(total), str(warm),
                   str(orders), str(out)]  # fmt: skip
        writer = await asyncio.create_subprocess_exec(*command, env={**os.environ, **env})
        run.measuring = True
        await writer.wait()
        await asyncio.sleep(1.0)  # the last updates in flight
        written = json.loads(out.read_text())
    for key, sent, committed in written["committed"]:
        run.sent[key], run.answered[key] = sent, committed
    run.sent["__rate__"] = written["rate"]
    for ws in sockets:
        await ws.close()
    return run


def report(name: str, run: Run, followers: int) -> None:
    measured = [(key, at) for key, at in run.received if key.startswith("bench-")]
    latencies = sorted((at - run.answered[key]) * 1000 for key, at in measured)
    from_sent = sorted((at - run.sent[key]) * 1000 for key, at in measured)
    expected = sum(1 for key in run.answered if key.startswith("bench-")) * followers
    if not latencies:
        print(f"{name}: no updates received")
        return
    q = statistics.quantiles(latencies, n=100)
    s = statistics.quantiles(from_sent, n=100)
    print(
        f"{name:<28} commands/s {run.sent['__rate__']:6.1f}  updates {len(latencies):6d}/{expected}"
        f"  commit->update p50 {q[49]:6.1f} ms p99 {q[98]:6.1f} ms"
        f"  (sent->update p50 {s[49]:6.1f} p99 {s[98]:6.1f})"
        f"  message {statistics.median(run.sizes):.0f} B"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "write":
        rate, total, warm, orders, out = sys.argv[2:7]
        write(float(rate), int(total), int(warm), int(orders), Path(out))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        if sys.argv[2] == "hub":
            serve_hub(int(sys.argv[3]))
        else:
            serve_baseline(int(sys.argv[4]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--via", choices=("store", "rest"), default="store",
        help="store: a writer process commits the commands (commit -> update); rest: the "
        "ERP's REST call to the hub (answer -> update, the command path included)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", metavar="PATH", default="",
        help="write a cProfile of the hub process (every thread) to PATH (pstats format)",
    )  # fmt: skip
    args = parser.parse_args()
    followers = args.subscribers // args.orders
    print(f"commands via {args.via}; {args.subscribers} subscriptions (documentTimeline, "
          f"{followers} per order, "
          f"{args.orders} orders), {args.rate:.0f} commands/s for {args.seconds:.0f} s after "
          f"{WARM_UP_SECONDS:.0f} s warm-up; store: {args.store}; cpus: {os.cpu_count()}; "
          f"load average: {os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, store(args.store, Path(tmp)) as settings_env:
        seed(Settings(**settings_env), args.orders)  # type: ignore[arg-type]
        env = {f"SUPPLYHUB_{k.upper()}": str(v) for k, v in settings_env.items()}
        hub_env = (
            {**env, "BENCH_LIVE_PROFILE": str(Path(args.profile).resolve())}
            if args.profile
            else env
        )
        direct = env if args.via == "store" else None
        with server(["hub"], hub_env) as url:
            hub = asyncio.run(
                load(url, args.subscribers, args.orders, args.rate, args.seconds, True, direct)
            )
        size = int(statistics.median(hub.sizes)) if hub.sizes else 400
        with server(["baseline", str(size)], env) as url:
            bare = asyncio.run(
                load(url, args.subscribers, args.orders, args.rate, args.seconds, False)
            )
    report("hub: documentTimeline", hub, followers)
    report("baseline: bare WebSocket", bare, followers)


@contextmanager
def store(kind: str, tmp: Path) -> Iterator[dict[str, Any]]:
    settings: dict[str, Any] = {"data_dir": tmp / "data", "jwt_secret": SECRET}
    if kind == "sqlite":
        yield settings
        return
    from servers import start_postgres

    with start_postgres(tmp / "pg") as postgres:
        yield {**settings, "database_url": postgres.create_database("bench_live")}


if __name__ == "__main__":
    main()
