"""Core write-path benchmark (issue 2): bulk ERP import against raw executemany on the same
PostgreSQL, and single acknowledgements one by one on PostgreSQL and SQLite.

Run: .venv/bin/python tests/benchmarks/bench_core.py [--pos 10000] [--rounds 3] [--acks 2000]
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for servers, given
# The repository before tests/: tests/connectors/ would shadow the connectors package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg
from given import envelope, lines
from servers import start_postgres

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import BatchItem, SupplyHub
from domain.provenance import Channel
from supplyhub.bootstrap import open_hub
from supplyhub.bulk_import import import_batches
from supplyhub.settings import Settings


def bulk_import(hub: SupplyHub, prefix: str, pos: int, per_po: int, batch: int) -> float:
    """Import `pos` new POs through `import_batches`; the seconds it took."""
    commands = [
        BatchItem(
            c.ReleasePurchaseOrder(f"{prefix}{n:07d}", "SUP-BULK", "EUR", lines(per_po)),
            envelope(),
        )
        for n in range(pos)
    ]
    started = time.perf_counter()
    batches = (commands[i : i + batch] for i in range(0, pos, batch))
    for results in import_batches(hub, batches):
        assert all(not isinstance(r, Exception) for r in results), results[:3]
    return time.perf_counter() - started


def raw_executemany(
    conn: psycopg.Connection[Any], table: str, rows: list[tuple[Any, ...]], batch: int
) -> float:
    """The same rows (same ids' shape, topics and state bytes) into a copy of the events
    table, `batch` rows per transaction; the seconds it took."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        for i in range(0, len(rows), batch):
            cur.executemany(
                f"INSERT INTO {table} "
                "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
                rows[i : i + batch],
            )
            conn.commit()
    return time.perf_counter() - started


def stored_rows(conn: psycopg.Connection[Any], table: str, after: int) -> list[tuple[Any, ...]]:
    """The hub's rows after notification id `after`, under fresh ids (same shape, no
    conflicts with earlier rounds)."""
    rows = conn.execute(
        f"SELECT originator_version, topic, state FROM {table} "
        "WHERE notification_id > %s ORDER BY notification_id",
        (after,),
    ).fetchall()
    conn.commit()
    return [(uuid.uuid4(), version, topic, state) for version, topic, state in rows]


def bulk_rounds(hub: SupplyHub, url: str, schema: str, args: argparse.Namespace) -> None:
    """Hub import and raw executemany alternate, round by round, so both see the same
    machine: on a shared VM the speed of everything drifts by up to 2x within minutes."""
    hub.handle(c.UpsertSupplier("SUP-BULK", "Bulk Supplier"), envelope())
    rounds: list[tuple[int, float, float]] = []
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {schema}.raw_events (LIKE {schema}.hub_events INCLUDING ALL)")
        conn.commit()
        for n in range(args.rounds):
            head = hub.recorder.max_notification_id() or 0
            hub_seconds = bulk_import(hub, f"B{n}-", args.pos, args.lines, args.batch)
            rows = stored_rows(conn, f"{schema}.hub_events", head)
            rows_per_txn = max(1, len(rows) // max(1, args.pos // args.batch))
            raw_seconds = raw_executemany(conn, f"{schema}.raw_events", rows, rows_per_txn)
            rounds.append((len(rows), hub_seconds, raw_seconds))
            print(
                f"  round {n + 1}: hub {len(rows) / hub_seconds:,.0f} events/s, "
                f"raw {len(rows) / raw_seconds:,.0f} rows/s ({rows_per_txn} rows/txn), "
                f"ratio {raw_seconds / hub_seconds:.2f}",
                file=sys.stderr,
            )
    events = rounds[0][0]
    hub_rates = [count / hub_s for count, hub_s, _ in rounds]
    raw_rates = [count / raw_s for count, _, raw_s in rounds]
    ratios = sorted(raw_s / hub_s for _, hub_s, raw_s in rounds)
    print(
        f"PostgreSQL bulk import: {args.pos:,} POs x {args.lines} lines -> {events:,} events "
        f"a round, {args.rounds} rounds, hub and raw alternating"
    )
    print(
        f"  hub (import_batches, {args.batch} POs/txn): best {max(hub_rates):,.0f} events/s "
        f"({max(hub_rates) * args.lines / 2:,.0f} PO lines/s), "
        f"worst {min(hub_rates):,.0f}"
    )
    print(
        f"  raw executemany, same rows and transactions: best {max(raw_rates):,.0f} rows/s, "
        f"worst {min(raw_rates):,.0f}"
    )
    print(
        f"  ratio hub/raw: best rates {max(hub_rates) / max(raw_rates):.2f}, "
        f"per round median {statistics.median(ratios):.2f} "
        f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}) (target >= 0.40)"
    )


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
            number,
            1,
            (
                c.LineAnswer(10, AckStatus.ACCEPTED, "IA"),
                c.LineAnswer(20, AckStatus.ACCEPTED, "IA"),
            ),
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
        "--rounds", type=int, default=3, help="alternating hub/raw rounds of --pos POs each (3)"
    )
    parser.add_argument(
        "--acks", type=int, default=2_000, help="sequential acknowledgements (2000)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp) / "pg") as pg:
        url = pg.create_database("bench_core")
        settings = Settings(data_dir=Path(tmp) / "data", database_url=url)
        hub = open_hub(settings)
        bulk_rounds(hub, url, settings.database_schema, args)
        report_acks("PostgreSQL single acknowledgements", sequential_acks(hub, args.acks))
        hub.close()

        sqlite_hub = open_hub(Settings(data_dir=Path(tmp) / "sqlite"))
        report_acks("SQLite single acknowledgements", sequential_acks(sqlite_hub, args.acks))
        sqlite_hub.close()


if __name__ == "__main__":
    main()
