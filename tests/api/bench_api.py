"""API benchmarks: cached and uncached supplier queries against plain FastAPI, and bulk import.

    .venv/bin/python tests/api/bench_api.py [--seconds 8] [--bulk-pos 2000]

Each server is ONE uvicorn worker in its own subprocess, measured alone (one at a time), by
the same asyncio load generator over keep-alive HTTP/1.1 with 32 concurrent clients. Prints
figures; asserts nothing (timings on a shared machine are noisy).
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

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from servers import serving_subprocess  # noqa: E402

from api.auth import AuthConfig, Role  # noqa: E402
from domain import commands as c  # noqa: E402
from domain.order_line import OrderLine  # noqa: E402
from domain.provenance import Channel, Provenance  # noqa: E402
from supplyhub.settings import Settings  # noqa: E402

SECRET = "benchmark-secret-of-at-least-32-characters"
QUERY = (
    "{ purchaseOrders(first: 10) { items { number supplier currency revision status "
    "needsAction releasedAt lines { lineNumber item uom shipTo orderedQuantity unitPrice "
    "needBy ackStatus confirmedQuantity shippedQuantity receivedQuantity commitment } } "
    "endCursor hasNextPage } }"
)
CLIENTS = 32


# --- the servers (run as subprocesses of this script) -------------------------------------


def seed(settings: Settings) -> None:
    """One supplier with 10 POs of 3 lines, and the read models caught up."""
    from supplyhub.bootstrap import open_hub
    from supplyhub.read_side import open_read_side

    hub = open_hub(settings)
    at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

    def erp(key: str) -> Provenance:
        return Provenance(key, key, key, "erp", Channel.ERP, at)

    hub.handle(c.UpsertSupplier("SUP-ACME", "Acme Precision GmbH"), erp("s1"))
    for n in range(10):
        lines = tuple(
            OrderLine(10 * (i + 1), f"ITEM-{i}", Decimal(100 + i), "EA", Decimal("4.75"),
                      date(2026, 12, 1 + i), "PLANT-DE01", f"Part {i}")
            for i in range(3)
        )  # fmt: skip
        hub.handle(c.ReleasePurchaseOrder(f"45{n:08d}", "SUP-ACME", "EUR", lines), erp(f"p{n}"))
    read_side = open_read_side(settings, hub)
    read_side.runner.catch_up()
    read_side.close()
    hub.close()


def serve(kind: str, port: int, settings: Settings) -> None:
    import uvicorn

    if kind == "plain":
        app = plain_app(settings)
    else:
        from api.app import create_app
        from api.health import Readiness
        from api.settings import ApiSettings
        from supplyhub.bootstrap import open_hub
        from supplyhub.read_side import open_read_side

        hub = open_hub(settings)
        read_side = open_read_side(settings, hub)
        if kind != "writer":  # the import is measured alone, as with a separate projection worker
            read_side.runner.start()
        app = create_app(
            ApiSettings(
                AuthConfig(SECRET), response_cache_size=0 if kind == "uncached" else 4096,
                max_bulk_items=10_000, max_body_bytes=64 * 1024 * 1024,
            ),
            hub, read_side.read_models, lambda: Readiness(True, 0),
        )  # fmt: skip
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def plain_app(settings: Settings) -> Any:
    """The baseline: plain FastAPI returning the same data as a dict, serialized per request."""
    from fastapi import FastAPI

    data = json.loads(Path(settings.data_dir, "answer.json").read_text())
    app = FastAPI()

    @app.post("/graphql")
    async def same_data() -> dict[str, Any]:
        return data  # type: ignore[no-any-return]

    return app


@contextmanager
def server(kind: str, settings_env: dict[str, str]) -> Iterator[str]:
    command = [sys.executable, __file__, "serve", kind, "{port}"]
    with serving_subprocess(command, settings_env, "/openapi.json", kind) as url:
        yield url


# --- the load generator ---------------------------------------------------------------------


async def _client(
    port: int, request: bytes, until: float, warm_until: float, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (started := time.perf_counter()) < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            if started >= warm_until:
                latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(url: str, body: bytes, token: str, seconds: float) -> dict[str, float]:
    """CLIENTS keep-alive connections sending the same request as fast as answered."""
    port = int(url.rsplit(":", 1)[1])
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []

    async def run() -> None:
        now = time.perf_counter()
        warm = now + 1.0
        await asyncio.gather(
            *(_client(port, request, warm + seconds, warm, latencies) for _ in range(CLIENTS))
        )

    asyncio.run(run())
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }


def report(name: str, figures: dict[str, float]) -> None:
    print(
        f"{name:<34} {figures['rps']:>8.0f} req/s   p50 {figures['p50_ms']:6.2f} ms   "
        f"p99 {figures['p99_ms']:6.2f} ms"
    )


# --- bulk import on PostgreSQL -----------------------------------------------------------


def bulk_items(pos: int, lines: int, start: int) -> list[dict[str, Any]]:
    return [
        {
            "command": "release_purchase_order",
            "message_id": f"bulk-{n}",
            "body": {
                "po_number": f"46{n:08d}",
                "supplier": "SUP-ACME",
                "currency": "EUR",
                "lines": [
                    {
                        "line_number": 10 * (i + 1),
                        "item": f"ITEM-{i}",
                        "quantity": "100",
                        "uom": "EA",
                        "unit_price": "4.75",
                        "need_by": "2026-12-01",
                        "ship_to": "PLANT-DE01",
                    }
                    for i in range(lines)
                ],
            },
        }
        for n in range(start, start + pos)
    ]


def bench_bulk(total_pos: int, per_request: int, lines: int) -> None:
    from servers import start_postgres

    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp, "pg")) as postgres:
        url = postgres.create_database("bench_api")
        env = {"SUPPLYHUB_DATABASE_URL": url, "SUPPLYHUB_DATA_DIR": str(Path(tmp, "data"))}
        settings = Settings(database_url=url, data_dir=Path(tmp, "data"))
        seed(settings)
        token = AuthConfig(SECRET).issue(Role.CONNECTOR, "bench")
        headers = {"Authorization": f"Bearer {token}"}
        with server("writer", env) as base, httpx.Client(timeout=300) as client:
            client.post(f"{base}/api/v1/bulk", headers=headers,
                        json={"items": bulk_items(10, lines, 10**6)})  # warm-up  # fmt: skip
            bodies = [
                json.dumps({"items": bulk_items(per_request, lines, start)}).encode()
                for start in range(0, total_pos, per_request)
            ]
            started = time.perf_counter()
            for body in bodies:
                response = client.post(
                    f"{base}/api/v1/bulk", content=body,
                    headers={**headers, "Content-Type": "application/json"},
                )  # fmt: skip
                assert response.json()["failed"] == 0, response.text[:500]
            elapsed = time.perf_counter() - started
    count = total_pos * lines
    print(
        f"{'bulk REST import, PostgreSQL':<34} {count / elapsed:>8.0f} PO lines/s "
        f"({total_pos} POs x {lines} lines, {per_request} POs per request, {elapsed:.1f} s)"
    )


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), Settings(jwt_secret=SECRET))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--bulk-pos", type=int, default=2000)
    parser.add_argument("--bulk-per-request", type=int, default=500)
    parser.add_argument("--bulk-lines", type=int, default=10)
    args = parser.parse_args()
    token = AuthConfig(SECRET).issue(Role.SUPPLIER, "bench", "SUP-ACME", 3600)
    body = json.dumps({"query": QUERY}).encode()
    print(f"one uvicorn worker per server, {CLIENTS} concurrent keep-alive clients, "
          f"{args.seconds:.0f} s each after 1 s warm-up; cpus: {os.cpu_count()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SUPPLYHUB_DATA_DIR": tmp, "SUPPLYHUB_JWT_SECRET": SECRET}
        seed(Settings(data_dir=Path(tmp)))
        with server("graphql", env) as url:
            answer = httpx.post(
                f"{url}/graphql", json={"query": QUERY},
                headers={"Authorization": f"Bearer {token}"},
            ).json()  # fmt: skip
            assert len(answer["data"]["purchaseOrders"]["items"]) == 10, answer
            Path(tmp, "answer.json").write_text(json.dumps(answer))
            cached = load(url, body, token, args.seconds)
        with server("plain", env) as url:
            plain = load(url, body, token, args.seconds)
        with server("uncached", env) as url:
            uncached = load(url, body, token, args.seconds)
    report("plain FastAPI, same data", plain)
    report("GraphQL, repeated (cached)", cached)
    print(f"{'  ratio cached / plain':<34} {cached['rps'] / plain['rps']:>8.2f}")
    report("GraphQL, uncached (resolved)", uncached)
    bench_bulk(args.bulk_pos, args.bulk_per_request, args.bulk_lines)


if __name__ == "__main__":
    main()
