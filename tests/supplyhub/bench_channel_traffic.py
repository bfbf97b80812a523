"""The console's channel traffic (issue 16): each partner's count and last payload in and out,
read from the payload index in one grouped query, against the raw baseline of what the
console did before, in the same run: walk the payload archive's files, read each one's
envelope and file time (on PostgreSQL it had no figure at all). The embedded store.

Run: .venv/bin/python tests/supplyhub/bench_channel_traffic.py [--payloads 20000]
[--partners 50] [--reads 20]. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The repository first: tests/supplyhub/ would shadow the supplyhub package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from connectors.gateway.parties import payload_parties
from storage.payloads import PayloadStore
from supplyhub import workers
from supplyhub.settings import Settings


def interchange(n: int, partners: int) -> bytes:
    partner = f"P{n % partners:04d}".ljust(15)
    return (f"ISA*00*          *00*          *ZZ*{partner}*ZZ*SUPPLYHUB      *261205*1200*U*"
            f"00401*{n:09d}*0*P*>~GS*PR~BAK*00*AC*PO-{n}*20261205~").encode()  # fmt: skip


def walk(folder: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """The baseline: what `_archive_traffic` did on every read."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for path in folder.glob("??/*"):
        with path.open("rb") as file:
            parties = payload_parties(file.read(400))
        if parties is None:
            continue
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
        count, last = found.get(parties, (0, ""))
        found[parties] = (count + 1, max(last, at))
    return found


def timed(read: object, reads: int) -> list[float]:
    assert callable(read)
    took = []
    for _ in range(reads):
        start = time.perf_counter()
        read()
        took.append((time.perf_counter() - start) * 1000)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payloads", type=int, default=20_000)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        store = workers.payloads(settings)
        start = time.perf_counter()
        for n in range(args.payloads):
            store.put(interchange(n, args.partners))
        kept = time.perf_counter() - start
        plain = PayloadStore(Path(tmp) / "plain")  # the raw baseline of a put: no index
        start = time.perf_counter()
        for n in range(args.payloads, 2 * args.payloads):
            plain.put(interchange(n, args.partners))
        unindexed = time.perf_counter() - start
        index = store.index  # type: ignore[union-attr]
        assert index is not None
        assert sum(t.count for t in index.traffic().values()) == args.payloads
        assert sum(c for c, _ in walk(settings.payload_dir).values()) == args.payloads
        walked = timed(lambda: walk(settings.payload_dir), args.reads)
        queried = timed(index.traffic, args.reads)
    for name, took in (("file walk (before)", walked), ("index query (now)", queried)):
        print(f"{name:20} p50 {statistics.median(took):8.1f} ms   max {max(took):8.1f} ms")
    print(f"{args.payloads} payloads, {args.partners} partners; kept in {kept:.1f} s "
          f"({args.payloads / kept:.0f}/s, each noted in the index), {unindexed:.1f} s "
          f"({args.payloads / unindexed:.0f}/s) without the index")  # fmt: skip
    print(
        f"ratio walk / query (p50): {statistics.median(walked) / statistics.median(queried):.0f}x"
    )


if __name__ == "__main__":
    main()
