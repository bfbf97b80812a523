"""Inbound cXML invoices on PostgreSQL against the same canonical commands as JSON.

    .venv/bin/python tests/connectors/cxml/bench_cxml.py [--documents 1500]

One hub (`serve`'s app: `POST /cxml` and the API) in ONE uvicorn worker in a subprocess, on a
PostgreSQL started for the run; 32 concurrent keep-alive clients each post distinct documents
until all are answered. The baseline, measured in the same run against the same server: the
same `SubmitInvoice` commands as JSON, the portal's `submitInvoice` mutation (the API has no
REST route for a supplier's invoice; JSON over the same app is the raw path). Then cXML again
with the verified-secret cache off (PBKDF2 on every document), to show what it buys. Prints
figures and the ratio; asserts nothing (timings on a shared machine are noisy).
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
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)]

from cxml_samples import envelope, invoice  # noqa: E402
from servers import serving_subprocess, start_postgres  # noqa: E402

from api.auth import AuthConfig, Role  # noqa: E402
from connectors.cxml.secret import hash_secret  # noqa: E402
from domain import commands as c  # noqa: E402
from domain.order_line import OrderLine  # noqa: E402
from domain.provenance import Channel, Provenance  # noqa: E402
from supplyhub.settings import Settings  # noqa: E402

JWT_SECRET = "benchmark-secret-of-at-least-32-characters"
SUPPLIER, SHARED_SECRET = "SUP-ACME", "abracadabra"
CLIENTS = 32
MUTATION = (
    "mutation($key: String!, $input: InvoiceInput!) { submitInvoice(idempotencyKey: $key, "
    "input: $input) { __typename } }"
)


def profile() -> dict[str, object]:
    """The partner cxml_samples' documents come from; the secret hashed as in production."""
    return {
        "partner": "acme-cxml", "supplier": SUPPLIER, "dialect": "cxml", "version": "1.2.050",
        "ours": {"qualifier": "NetworkId", "id": "AN-HUB"},
        "theirs": {"qualifier": "DUNS", "id": "123456789"}, "units": {"EA": "EA"},
        "cxml": {"sender": {"domain": "NetworkId", "identity": "AN-ACME"},
                 "secret_hash": hash_secret(SHARED_SECRET)},
    }  # fmt: skip


def seed(settings: Settings, numbers: list[str]) -> None:
    """The supplier and one PO of one line for each invoice to come."""
    from supplyhub.bootstrap import open_hub

    hub = open_hub(settings)
    at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

    def erp(key: str) -> Provenance:
        return Provenance(key, key, key, "erp", Channel.ERP, at)

    hub.handle(c.UpsertSupplier(SUPPLIER, "Acme"), erp("s"))
    line = OrderLine(1, "ITEM-1", Decimal(10), "EA", Decimal("2.50"), date(2026, 12, 20), "P1")
    for number in numbers:
        hub.handle(c.ReleasePurchaseOrder(number, SUPPLIER, "USD", (line,)), erp(number))
    hub.close()


def serve(port: int, cache: bool) -> None:
    import uvicorn

    from connectors.cxml.secret import VerifiedSecrets
    from supplyhub.bootstrap import open_hub
    from supplyhub.cli.api import build_app
    from supplyhub.read_side import open_read_side

    settings = Settings()
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)  # the views are not run: writes are measured
    app = build_app(settings, hub, read_side.read_models)
    if not cache:  # size 0: every document's secret goes through PBKDF2
        app.state.cxml = replace(app.state.cxml, verified=VerifiedSecrets(size=0))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def server(env: dict[str, str], cache: bool) -> Iterator[int]:
    command = [sys.executable, __file__, "serve", "{port}", "cache" if cache else "none"]
    with serving_subprocess(command, env, "/openapi.json", "hub") as url:
        yield int(url.rsplit(":", 1)[1])


def cxml_request(number: str) -> bytes:
    body = envelope(invoice(po=number, number=f"INV-{number}"), payload_id=f"{number}@acme")
    return _http("/cxml", "text/xml", "", body)


def json_request(number: str, token: str) -> bytes:
    variables = {"key": f"inv-{number}", "input": {
        "invoiceNumber": f"INV-{number}", "poNumber": number, "currency": "USD",
        "invoiceDate": "2026-12-09",
        "lines": [{"lineNumber": 1, "quantity": "10", "unitPrice": "2.50"}],
    }}  # fmt: skip
    body = json.dumps({"query": MUTATION, "variables": variables}).encode()
    return _http("/graphql", "application/json", token, body)


def _http(path: str, kind: str, token: str, body: bytes) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {kind}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _client(port: int, requests: list[bytes], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while requests:
            request = requests.pop()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length)
            applied = b'"Accepted"' in answer or b'code="200"' in answer
            if not head.startswith(b"HTTP/1.1 200") or not applied:
                raise RuntimeError(head.decode(errors="replace") + answer[:300].decode())
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(port: int, requests: list[bytes]) -> dict[str, float]:
    """CLIENTS keep-alive connections posting ``requests`` until all are answered."""
    pending, latencies = list(reversed(requests)), []

    async def run() -> None:
        await asyncio.gather(*(_client(port, pending, latencies) for _ in range(CLIENTS)))

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }


def report(name: str, figures: dict[str, float]) -> None:
    print(f"{name:<48} {figures['rate']:>7.0f} documents/s   p50 {figures['p50_ms']:7.1f} ms"
          f"   p99 {figures['p99_ms']:7.1f} ms")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3] == "cache")
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1500, help="per leg (default 1500)")
    args = parser.parse_args()
    n, warm = args.documents, 50
    uncached_n = max(50, n // 10)  # ~30 ms of PBKDF2 each: a tenth is enough to see the rate
    token = AuthConfig(JWT_SECRET).issue(Role.SUPPLIER, "bench", SUPPLIER, 3600)
    legs = {
        "warm": [f"PO-W{i}" for i in range(2 * warm)],
        "json": [f"PO-J{i}" for i in range(n)],
        "cxml": [f"PO-X{i}" for i in range(n)],
        "nocache": [f"PO-N{i}" for i in range(uncached_n)],
    }
    print(f"one uvicorn worker, PostgreSQL, {CLIENTS} concurrent keep-alive clients, "
          f"{n} invoices per leg; cpus: {os.cpu_count()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp, "pg")) as postgres:
        url = postgres.create_database("bench_cxml")
        data = Path(tmp, "data")
        (data / "partners").mkdir(parents=True)
        (data / "partners" / "acme-cxml.json").write_text(json.dumps(profile()))
        env = {"SUPPLYHUB_DATABASE_URL": url, "SUPPLYHUB_DATA_DIR": str(data),
               "SUPPLYHUB_JWT_SECRET": JWT_SECRET}  # fmt: skip
        started = time.perf_counter()
        seed(Settings(database_url=url, data_dir=data), [x for leg in legs.values() for x in leg])
        print(f"seeded {sum(map(len, legs.values()))} POs in {time.perf_counter() - started:.0f} s")
        with server(env, cache=True) as port:
            load(port, [cxml_request(x) for x in legs["warm"][:warm]])
            load(port, [json_request(x, token) for x in legs["warm"][warm:]])
            as_json = load(port, [json_request(x, token) for x in legs["json"]])
            as_cxml = load(port, [cxml_request(x) for x in legs["cxml"]])
        with server(env, cache=False) as port:
            uncached = load(port, [cxml_request(x) for x in legs["nocache"]])
    report("JSON submitInvoice (the raw path)", as_json)
    report("cXML InvoiceDetailRequest, verified-secret cache", as_cxml)
    print(f"{'  ratio cXML / JSON':<48} {as_cxml['rate'] / as_json['rate']:>7.2f}")
    report(f"cXML, PBKDF2 on every document ({uncached_n})", uncached)
    print(f"{'  ratio uncached cXML / JSON':<48} {uncached['rate'] / as_json['rate']:>7.2f}")


if __name__ == "__main__":
    main()
