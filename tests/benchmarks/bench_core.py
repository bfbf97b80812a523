"""Core write-path benchmark (issue 2): bulk ERP import against raw executemany on the same
PostgreSQL, and single acknowledgements one by one on PostgreSQL and SQLite.

Run: .venv/bin/python tests/benchmarks/bench_core.py [--pos 10000] [--lines 5] [--acks 2000]
Starts its own PostgreSQL (tests/servers.py); prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for servers, given

import psycopg
from given import envelope, lines
from servers import start_postgres

from domain import commands as c
from domain.application import BatchItem, SupplyHub
from domain.provenance import Channel
from supplyhub.bootstrap import open_hub
from supplyhub.bulk_import import import_batches
from supplyhub.settings import Settings


def bulk_import(hub: SupplyHub, pos: int, per_po: int, batch: int) -> tuple[float, int]:
    hub.handle(c.UpsertSupplier("SUP-BULK", "Bulk Supplier"), envelope())
    start_head = hub.recorder.max_notification_id() or 0
    commands = [
        BatchItem(c.ReleasePurchaseOrder(f"B{n:07d}", "SUP-BULK", "EUR", lines(per_po)), envelope())
        for n in range(pos)
    ]
    started = time.perf_counter()
    batches = (commands[i : i + batch] for i in range(0, pos, batch))
    for n, results in enumerate(import_batches(hub, batches)):
        assert all(not isinstance(r, Exception) for r in results), results[:3]
        if n % 5 == 0:
            print(f"  imported {(n + 1) * batch:>6}/{pos} POs", file=sys.stderr)
    elapsed = time.perf_counter() - started
    return elapsed, (hub.recorder.max_notification_id() or 0) - start_head


def raw_executemany(
    url: str, schema: str, rows: list[tuple[bytes, int, str, bytes]], batch: int
) -> float:
    """The same rows (same ids' shape, topics and state bytes) into a copy of the events table."""
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute(f"CREATE TABLE {schema}.raw_events (LIKE {schema}.hub_events INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for i in range(0, len(rows), batch):
                cur.executemany(
                    f"INSERT INTO {schema}.raw_events "
                    "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
                    rows[i : i + batch],
                )
                conn.commit()
        return time.perf_counter() - started


def stored_rows(url: str, schema: str) -> list[tuple[bytes, int, str, bytes]]:
    with psycopg.connect(url) as conn:
        return [
            (uuid.uuid4(), version, topic, state)  # fresh ids: same shape, no conflicts
            for _, version, topic, state in conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {schema}.hub_events "
                "ORDER BY notification_id"
            )
        ]


def sequential_acks(hub: SupplyHub, count: int) -> list[float]:
    hub.handle(c.UpsertSupplier("SUP-ACK", "Ack Supplier"), envelope())
    numbers = [f"A{uuid.uuid4().hex[:10]}" for _ in range(count)]
    hub.handle_batch(
        [
            BatchItem(c.ReleasePurchaseOrder(n, "SUP-ACK", "EUR", lines(3)), envelope())
            for n in numbers
        ]
    )
    latencies = []
    for number in numbers:
        ack = c.AcknowledgePurchaseOrder(
            number, 1, (c.LineAnswer(10, "IA"), c.LineAnswer(20, "IA"))
        )
        message = envelope(Channel.X12, tenant="SUP-ACK")
        started = time.perf_counter()
        hub.handle(ack, message)
        latencies.append(time.perf_counter() - started)
    return latencies


def report_acks(label: str, latencies: list[float]) -> None:
    total = sum(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    print(
        f"{label}: {len(latencies) / total:,.0f} acks/s sequential, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pos", type=int, default=10_000, help="purchase orders to import (10000)")
    parser.add_argument("--lines", type=int, default=5, help="lines per purchase order (5)")
    parser.add_argument("--batch", type=int, default=500, help="POs per batch transaction (500)")
    parser.add_argument(
        "--acks", type=int, default=2_000, help="sequential acknowledgements (2000)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp) / "pg") as pg:
        url = pg.create_database("bench_core")
        settings = Settings(data_dir=Path(tmp) / "data", database_url=url)
        hub = open_hub(settings)
        elapsed, events = bulk_import(hub, args.pos, args.lines, args.batch)
        hub_rate = events / elapsed
        rows = stored_rows(url, settings.database_schema)[-events:]
        rows_per_batch = max(1, events // max(1, args.pos // args.batch))
        raw_rate = len(rows) / raw_executemany(url, settings.database_schema, rows, rows_per_batch)
        print(
            f"PostgreSQL bulk import: {args.pos:,} POs x {args.lines} lines -> "
            f"{events:,} events in {elapsed:.2f} s"
        )
        print(
            f"  hub (import_batches, {args.batch} POs/txn): {hub_rate:,.0f} events/s, "
            f"{args.pos * args.lines / elapsed:,.0f} PO lines/s"
        )
        print(f"  raw executemany, same rows, {rows_per_batch} rows/txn: {raw_rate:,.0f} rows/s")
        print(f"  ratio hub/raw: {hub_rate / raw_rate:.2f} (target >= 0.40)")
        report_acks("PostgreSQL single acknowledgements", sequential_acks(hub, args.acks))
        hub.close()

        sqlite_hub = open_hub(Settings(data_dir=Path(tmp) / "sqlite"))
        report_acks("SQLite single acknowledgements", sequential_acks(sqlite_hub, args.acks))
        sqlite_hub.close()


if __name__ == "__main__":
    main()
