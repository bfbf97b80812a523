"""Benchmark of the Tryton adapter against a real trytond (not a test: it prints figures).

    .venv/bin/python tests/connectors/erp/bench_tryton.py [--changes 60] [--poll 0.5]

(a) Initial load: 2,000 Tryton purchase orders x 5 lines, quoted, pulled into an empty hub
    by `pull_once`: POs/s, against the bare JSON-RPC reads of the same records (the same
    search_read pages of purchases, lines and parties, nothing done with them) in the same
    run. The 2,000 POs are built once into a cached database file beside the test template
    (`~/.cache/supplyhub/tryton-bench-...sqlite`); the script says how long that took.
(b) Steady state: one PO change a second in Tryton (the buyer drafts a quoted PO, changes a
    quantity, quotes it again: a new revision), the ERP worker running with `--poll`
    seconds between rounds: the time until the supplier's GraphQL view shows the new
    revision, p50 / p99 / max.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
# The project's packages first (tests/connectors must not shadow them), then the test helpers.
sys.path[:0] = [str(HERE.parents[2])]
sys.path += [str(HERE / "tryton"), str(HERE.parents[1] / "api"), str(HERE.parents[1])]

import tryton_buyer as tb  # noqa: E402
import tryton_server  # noqa: E402
from live_server import serving, token  # noqa: E402

from connectors.erp.hub import HubOrdersOf  # noqa: E402
from connectors.erp.state import ErpStateStore  # noqa: E402
from connectors.erp.tryton.pull import pull_once  # noqa: E402
from connectors.erp.tryton.reader import (  # noqa: E402
    LINE_FIELDS,
    PARTY_FIELDS,
    PURCHASE_FIELDS,
    TrytonCursor,
    search_all,
)
from connectors.erp.tryton.rpc import TrytonClient  # noqa: E402
from connectors.erp.tryton.translate import LINE, PARTY, PURCHASE  # noqa: E402
from connectors.erp.tryton.worker import TrytonWorker  # noqa: E402
from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth  # noqa: E402
from connectors.workers.positions import PositionStore  # noqa: E402
from supplyhub.bootstrap import open_hub  # noqa: E402
from supplyhub.settings import Settings  # noqa: E402
from supplyhub.workers import open_database  # noqa: E402

POS, LINES, BATCH = 2000, 5, 100
VIEW = "query($n: String!) { purchaseOrder(number: $n) { revision } }"


def bench_database() -> Path:
    """The template plus 2,000 quoted 5-line POs (20 suppliers), built once per machine."""
    template = tryton_server.template_path()
    path = template.with_name(template.stem.replace("tryton-", "tryton-bench-") + ".sqlite")
    if path.exists():
        print(f"bench database: {path} (cached)")
        return path
    with tempfile.TemporaryDirectory(prefix="supplyhub-tryton-bench-") as work:
        started = time.monotonic()
        with tryton_server.start_tryton(Path(work)) as server:
            buyer = logged_in(server.url, server)
            parties = [tb.supplier(buyer, f"Bench Supplier {n:02d}") for n in range(20)]
            products = [tb.product(buyer, f"BENCH-{n:03d}") for n in range(LINES)]
            for batch in range(POS // BATCH):
                tb.quoted_purchases(buyer, parties[batch % 20], products, BATCH, date(2027, 6, 1))
            buyer.logout()
        partial = path.with_suffix(".partial")
        tryton_server.copy_database(Path(work) / "hub.sqlite", partial)
        partial.rename(path)
        print(f"bench database: built {POS} POs x {LINES} lines in "
              f"{time.monotonic() - started:.0f} s, once per machine: {path}")  # fmt: skip
    return path


@contextlib.contextmanager
def served(database: Path) -> Iterator[tryton_server.TrytonServer]:
    with (
        tempfile.TemporaryDirectory(prefix="supplyhub-tryton-run-") as work,
        tryton_server.start_tryton(Path(work), database) as server,
    ):
        yield server


def logged_in(url: str, server: tryton_server.TrytonServer) -> TrytonClient:
    client = TrytonClient(url, server.database, timeout=120)
    client.login(server.user, server.password)
    return client


def bare_reads(client: TrytonClient) -> float:
    """The same records the pull reads, as bare JSON-RPC: seconds."""
    started = time.monotonic()
    purchases = search_all(client, PURCHASE, [], PURCHASE_FIELDS)
    ids = [p["id"] for p in purchases]
    search_all(client, LINE, [["purchase", "in", ids]], LINE_FIELDS)
    client.call_model(PARTY, "read", sorted({p["party"] for p in purchases}), PARTY_FIELDS)
    return time.monotonic() - started


def initial_load(server: tryton_server.TrytonServer, work: Path) -> None:
    client = logged_in(server.url, server)
    hub = open_hub(Settings(data_dir=work / "load", dev_mode=True))
    first = bare_reads(client)  # before and after the pull: the faster one (a warm trytond)
    started = time.monotonic()
    report = pull_once(client, hub, TrytonCursor())
    loaded = time.monotonic() - started
    raw = min(first, bare_reads(client))
    released = sum(1 for o in report.outcomes if o.document.startswith("po:"))
    known = HubOrdersOf(hub).known_order(report.outcomes[-1].document.removeprefix("po:"))
    assert released == POS and known is not None and not report.failed, report.failed
    print(f"(a) initial load of {POS} POs x {LINES} lines into an empty hub (SQLite store):")
    print(f"    bare JSON-RPC reads of the same records: {raw:6.1f} s = {POS / raw:6.0f} POs/s")
    print(
        f"    pull_once (read + translate + apply):    {loaded:6.1f} s = {POS / loaded:6.0f} POs/s"
    )
    print(f"    ratio hub / bare reads: {raw / loaded:.2f} (1.00: the hub adds nothing)")
    client.logout()


def steady_state(server: tryton_server.TrytonServer, work: Path, changes: int, poll: float) -> None:
    buyer = logged_in(server.url, server)
    settings = Settings(data_dir=work / "hub", dev_mode=True)
    with serving(settings, 0) as live:
        database = open_database(settings)
        worker = TrytonWorker(
            live.hub, lambda: logged_in(server.url, server), server.database,
            ErpStateStore(database), PositionStore(database),
            ResilientLoop(WorkerHealth("erp"), Backoff(0.05, 1)), poll_seconds=poll,
        )  # fmt: skip
        party = tb.supplier(buyer, "Steady Supplier")
        product = tb.product(buyer, "STEADY-1")
        purchases = tb.quoted_purchases(buyer, party, [product], changes, date(2027, 6, 1))
        numbers = [p["number"] for p in buyer.call_model(PURCHASE, "read", purchases, ["number"])]
        headers = token("--role", "supplier", "--supplier", party["code"])
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=lambda: loop.run_until_complete(worker.run(stop)))
        thread.start()
        latencies: list[float] = []
        try:
            with httpx.Client(base_url=live.url, headers=headers) as portal:
                # The first pull releases the 2,000 and these (401 until it made the supplier).
                wait_revision(portal, numbers[-1], 1, 600)
                for purchase, number in zip(purchases, numbers, strict=True):
                    tick = time.monotonic()
                    tb.click(buyer, purchase, "draft")
                    tb.set_line_quantity(buyer, purchase, Decimal(12))
                    tb.click(buyer, purchase, "quote")
                    changed = time.monotonic()  # committed in Tryton
                    latencies.append(wait_revision(portal, number, 2, 30) - changed)
                    time.sleep(max(0.0, 1 - (time.monotonic() - tick)))  # one change a second
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join(30)
            loop.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * len(latencies)) - 1)]
    print(f"(b) steady state, one PO change a second, {changes} changes, worker poll {poll} s:")
    print(f"    Tryton commit -> supplier's GraphQL shows the new revision: "
          f"p50 {statistics.median(latencies):.2f} s, p99 {p99:.2f} s, "
          f"max {latencies[-1]:.2f} s (target p99 <= 2 s)")  # fmt: skip


def wait_revision(portal: httpx.Client, number: str, revision: int, seconds: float) -> float:
    """Poll the supplier's view every 20 ms until it shows `revision`; when it did."""
    deadline = time.monotonic() + seconds
    while True:
        answer: dict[str, Any] = portal.post(
            "/graphql", json={"query": VIEW, "variables": {"n": number}}
        ).json()
        found = (answer.get("data") or {}).get("purchaseOrder")
        if found is not None and found["revision"] >= revision:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{number} did not reach revision {revision}: {answer}")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--poll", type=float, default=0.5)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    database = bench_database()
    with (
        tempfile.TemporaryDirectory(prefix="supplyhub-bench-") as folder,
        served(database) as server,
    ):
        if not args.skip_load:
            initial_load(server, Path(folder))
        steady_state(server, Path(folder), args.changes, args.poll)


if __name__ == "__main__":
    main()
