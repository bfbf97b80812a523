"""EDI gateway benchmarks (issue 13, Speed). Prints figures and ratios; asserts nothing.

  burst  A month-end burst on PostgreSQL: one interchange of N 810s + N 856s (default 5,000
         each) through the gateway (`FileGateway.receive`: archive, judge whole, translate,
         apply; the functional ack is written only for a refusal today) against the same
         canonical commands applied directly through the application service
         (`handle_batch`, the same batch size) in the same run, on POs of their own.
  rss    A ~100 MB interchange of 810s (100 lines each) received by `supplyhub edi receive`
         in a child process, whose peak RSS is read with resource.getrusage.
  mrp    N PO releases (default 10,000) sent by the EDI worker to a local mock-edi as 850s
         over plain HTTP, against plain HTTP POSTs of the same bytes from the same client
         (urllib, one request at a time, as the worker).

Run: .venv/bin/python tests/connectors/edi/bench_gateway.py burst|rss|mrp [--n N]
Starts its own PostgreSQL (burst) or mock-edi (mrp).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # edi_partner
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ for servers
# The repository before tests/: tests/connectors/ would shadow the connectors package.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from datetime import UTC, date, datetime

from edi_partner import start_mock_edi
from servers import start_postgres

from connectors.edi.inbound import translate_file
from connectors.gateway.files import FileGateway, chunks
from connectors.gateway.inbound import EdiInbound
from domain import commands as c
from domain.application import BatchItem, SupplyHub
from domain.provenance import Channel, Provenance
from storage.bulk_import import import_batches
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings
from supplyhub.workers import build_edi

SUPPLIER = "SUP-BENCH"
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PROFILE = {
    "partner": "bench", "supplier": SUPPLIER, "dialect": "x12", "version": "004010",
    "ours": {"qualifier": "ZZ", "id": "BUYERHUB"}, "theirs": {"qualifier": "ZZ", "id": "BENCH"},
    "currency": "USD",
}  # fmt: skip


def release(hub: SupplyHub, prefix: str, count: int, lines: int) -> None:
    hub.handle(c.UpsertSupplier(SUPPLIER, "Bench"), _provenance(f"sup-{prefix}"))
    order_lines = tuple(
        c.OrderLine(
            n, f"ITEM-{n}", Decimal(100), "EA", Decimal("2.5"), date(2026, 12, 20), "PLANT-1"
        )
        for n in range(1, lines + 1)
    )
    items = (
        BatchItem(
            c.ReleasePurchaseOrder(f"{prefix}{n:07d}", SUPPLIER, "USD", order_lines),
            Provenance(f"rel-{prefix}{n}", "c", "c", "erp", Channel.ERP, NOW, f"raw/{prefix}{n}"),
        )
        for n in range(count)
    )
    batches = _batched(items, 500)
    for results in import_batches(hub, batches):
        assert not any(isinstance(r, Exception) for r in results), results[:3]


def _provenance(message: str) -> Provenance:
    return Provenance(message, message, message, "erp", Channel.ERP, NOW, f"raw/{message}")


def _batched(items: Iterator[BatchItem], size: int) -> Iterator[list[BatchItem]]:
    batch: list[BatchItem] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def ship_notice(po: str, control: int, lines: int) -> list[str]:
    body = [f"BSN*00*ASN-{po}*20261210*1200", "HL*1**S", "TD5**2*UPSN", "REF*CN*1Z999",
            "DTM*011*20261210", "DTM*017*20261213", "HL*2*1*O", f"PRF*{po}", "HL*3*2*P",
            "MAN*GM*00012345600000000017"]  # fmt: skip
    for n in range(1, lines + 1):
        body += [f"HL*{n + 3}*3*I", f"LIN*{n}*BP*ITEM-{n}", "SN1**100*EA"]
    body.append(f"CTT*{lines + 3}")
    return _set("856", control, body)


def invoice(po: str, control: int, lines: int) -> list[str]:
    body = [f"BIG*20261215*INV-{po}**{po}"]
    body += [f"IT1*{n}*100*EA*2.5" for n in range(1, lines + 1)]
    body.append(f"TDS*{250 * 100 * lines}")
    return _set("810", control, body)


def _set(code: str, control: int, body: list[str]) -> list[str]:
    st = f"{control:04d}"
    return [f"ST*{code}*{st}", *body, f"SE*{len(body) + 2}*{st}"]


def write_interchange(
    path: Path, groups: list[tuple[str, Iterator[list[str]]]], control: int = 1
) -> None:
    """One interchange, one GS group per (functional id, sets), written as it is generated."""
    isa = ("ISA*00*          *00*          *ZZ*BENCH          *ZZ*BUYERHUB       *261205*0900*"
           f"U*00401*{control:09d}*0*P*>~\n")  # fmt: skip
    with path.open("w", encoding="latin-1") as out:
        out.write(isa)
        for number, (kind, sets) in enumerate(groups, start=1):
            out.write(f"GS*{kind}*BENCH*BUYERHUB*20261205*0900*{number}*X*004010~\n")
            count = 0
            for segments in sets:
                out.write("".join(f"{s}~\n" for s in segments))
                count += 1
            out.write(f"GE*{count}*{number}~\n")
        out.write(f"IEA*{len(groups)}*{control:09d}~\n")


def gateway_for(settings: Settings, hub: SupplyHub) -> FileGateway:
    """As `edi receive` and the drop directory build it: a file of up to 1 MB through the
    receiver (our 997 written), a larger one streamed."""
    edi = build_edi(settings, hub)
    return FileGateway(hub, edi.partners, edi.payloads, edi.documents, receiver=edi.receiver)


def burst(n: int, lines: int, rounds: int) -> None:
    """``rounds`` rounds, each on POs of its own; the order alternates (direct first, then
    gateway first), because this VM's speed drifts within a run."""
    with tempfile.TemporaryDirectory() as tmp, start_postgres(Path(tmp) / "pg") as pg:
        data = Path(tmp) / "data"
        (data / "partners").mkdir(parents=True)
        (data / "partners" / "bench.json").write_text(json.dumps(PROFILE))
        settings = Settings(data_dir=data, database_url=pg.create_database("bench"))
        hub = open_hub(settings)
        gateway = gateway_for(settings, hub)
        profile = gateway.partners.profile("bench")
        for number in range(1, rounds + 1):
            started = time.perf_counter()
            files = []
            for side in ("G", "D"):
                prefix = f"PO-{side}{number}-"
                release(hub, prefix, n, lines)
                path = Path(tmp) / f"{side}{number}.x12"
                pos = [f"{prefix}{k:07d}" for k in range(n)]
                # ST02 unique across the groups: the message id is ISA13 + ST02 (docs/edi.md)
                write_interchange(path, [
                    ("SH", (ship_notice(po, k + 1, lines) for k, po in enumerate(pos))),
                    ("IN", (invoice(po, n + k + 1, lines) for k, po in enumerate(pos))),
                ], 2 * number + (side == "D"))  # fmt: skip
                files.append(path)
            setup = time.perf_counter() - started
            gateway_file, direct_file = files
            # The direct baseline: the same kind of commands, translated beforehand (untimed).
            items = [
                BatchItem(each.command, _edi_provenance(each.message_id))
                for translation in translate_file(chunks(direct_file), profile)
                for each in EdiInbound.commands_of(translation)
            ]

            if number % 2:
                direct_seconds = _direct(hub, items, gateway.batch_size)
                gateway_seconds = _through_gateway(gateway, gateway_file, 2 * n)
            else:
                gateway_seconds = _through_gateway(gateway, gateway_file, 2 * n)
                direct_seconds = _direct(hub, items, gateway.batch_size)
            documents = 2 * n
            print(f"round {number} ({'direct' if number % 2 else 'gateway'} first; "
                  f"{2 * n:,} POs released in {setup:.1f} s): "
                  f"{documents:,} documents ({n:,} 856 + {n:,} 810), "
                  f"{gateway_file.stat().st_size / 1e6:.1f} MB")  # fmt: skip
            print(f"  direct (handle_batch):  {documents / direct_seconds:8,.0f} documents/s")
            print(f"  gateway (receive file): {documents / gateway_seconds:8,.0f} documents/s")
            print(f"  ratio gateway / direct: {direct_seconds / gateway_seconds:.2f} x "
                  "(target >= 0.5)")  # fmt: skip
        hub.close()


def _direct(hub: SupplyHub, items: list[BatchItem], size: int) -> float:
    started = time.perf_counter()
    for k in range(0, len(items), size):
        results = hub.handle_batch(items[k : k + size])
        refused = [r for r in results if isinstance(r, Exception)]
        assert not refused, refused[:3]
    return time.perf_counter() - started


def _through_gateway(gateway: FileGateway, path: Path, documents: int) -> float:
    started = time.perf_counter()
    receipt = gateway.receive(path, "bench")
    assert (receipt.applied, receipt.problems) == (documents, 0), receipt
    return time.perf_counter() - started


def _edi_provenance(message: str) -> Provenance:
    return Provenance(message, message, message, "connector:bench", Channel.X12, NOW, "sha256:x")


def rss(megabytes: int, lines: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        (data / "partners").mkdir(parents=True)
        (data / "partners" / "bench.json").write_text(json.dumps(PROFILE))
        settings = Settings(data_dir=data)
        one = sum(len(s) + 2 for s in invoice("PO-R0000000", 1, lines))
        count = megabytes * 1_000_000 // one + 1
        hub = open_hub(settings)
        started = time.perf_counter()
        release(hub, "PO-R", count, lines)
        hub.close()
        print(f"released {count:,} POs x {lines} lines in {time.perf_counter() - started:.1f} s")
        path, broken = Path(tmp) / "big.x12", Path(tmp) / "broken.x12"
        pos = (f"PO-R{k:07d}" for k in range(count))
        write_interchange(path, [("IN", (invoice(po, k + 1, lines) for k, po in enumerate(pos)))])
        _break_last_set(path, broken)
        size = path.stat().st_size
        print(f"interchange: {size / 1e6:.1f} MB, {count:,} invoices x {lines} lines "
              "(SQLite, payloads as files)", flush=True)  # fmt: skip
        env = {**os.environ, "SUPPLYHUB_DATA_DIR": str(data)}
        binary = str(Path(sys.executable).parent / "supplyhub")
        baseline_kb, _, _ = _peak_rss([binary, "edi", "--help"], env)
        print(f"baseline, `supplyhub edi --help`: peak RSS {baseline_kb / 1024:.0f} MB")
        command = [binary, "edi", "receive", "--partner", "bench", "--json"]
        for name, each in (("accepted", path), ("refused (last SE01 wrong)", broken)):
            peak_kb, seconds, out = _peak_rss([*command, str(each)], env)
            summary = json.loads(out.splitlines()[-1])
            if each is path:
                assert summary["applied"] == count, summary
            else:
                assert summary["refused"] and summary["applied"] == 0, summary
            print(f"edi receive, {name}: {seconds:.1f} s, {size / 1e6 / seconds:.2f} MB/s, "
                  f"peak RSS {peak_kb / 1024:.0f} MB (target < 250 MB; "
                  f"{peak_kb / baseline_kb:.1f} x the baseline)", flush=True)  # fmt: skip


def _break_last_set(path: Path, broken: Path) -> None:
    """The same interchange with its last set's SE01 wrong: refused only at its end."""
    with path.open("rb") as source, broken.open("wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    with broken.open("r+b") as out:
        out.seek(-4096, os.SEEK_END)
        tail = out.read()
        at = tail.rindex(b"SE*")
        out.seek(-4096 + at + 3, os.SEEK_END)
        out.write(b"9")  # SE*1003 -> SE*9003: the count no longer matches


def _peak_rss(command: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """Peak RSS (KB) of `command` alone, run by a fresh Python that reads its children's
    getrusage; seconds; its stdout."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "sys.stderr.buffer.write(r.stderr[-2000:]); sys.stdout.buffer.write(r.stdout[-100000:]); "
        "print(); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, check=True
    )
    *out, figures = done.stdout.decode().rstrip("\n").splitlines()
    peak, seconds = figures.split()
    return int(peak), float(seconds), "\n".join(line for line in out if line)


def mrp(n: int) -> None:
    """Each leg against a mock-edi of its own: a mock that already holds the other leg's
    10,000 orders and answers slows down, which measured the mock, not the client."""
    with tempfile.TemporaryDirectory() as tmp:
        with start_mock_edi(Path(tmp) / "mock.log", "--allow-duplicates", "-q") as mock:
            data = Path(tmp) / "data"
            (data / "partners").mkdir(parents=True)
            profile = {
                **PROFILE, "ours": {"qualifier": "ZZ", "id": "ACME"},
                "theirs": {"qualifier": "ZZ", "id": "MOCKEDI"}, "url": f"{mock.url}/edi",
            }  # fmt: skip
            (data / "partners" / "bench.json").write_text(json.dumps(profile))
            settings = Settings(data_dir=data, edi_batch_size=1000)
            hub = open_hub(settings)
            release(hub, "PO-M", n, 2)
            worker = build_edi(settings, hub)
            started = time.perf_counter()
            sent = 0
            while step := worker.step():
                sent += step
            worker_seconds = time.perf_counter() - started
            assert sent == n, sent
            documents = [worker.documents.document(p) for p, *_ in worker.documents.sent()]
            hub.close()
        with start_mock_edi(Path(tmp) / "mock-raw.log", "--allow-duplicates", "-q") as mock:
            started = time.perf_counter()
            for document in documents:
                request = urllib.request.Request(f"{mock.url}/edi", data=document, method="POST")
                request.add_header("Content-Type", "application/edi-x12")
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
            raw_seconds = time.perf_counter() - started
    print(f"{n:,} POs released -> 850s to mock-edi over plain HTTP (a fresh mock per leg)")
    print(f"worker: {n / worker_seconds:8,.0f} documents/s ({worker_seconds:.1f} s)")
    print(f"raw:    {n / raw_seconds:8,.0f} POSTs/s ({raw_seconds:.1f} s), the same bytes")
    print(f"ratio worker / raw: {raw_seconds / worker_seconds:.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=("burst", "rss", "mrp"))
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.scenario == "burst":
        burst(args.n or 5000, args.lines or 2, args.rounds)
    elif args.scenario == "rss":
        rss(args.mb, args.lines or 100)
    else:
        mrp(args.n or 10_000)


if __name__ == "__main__":
    main()
