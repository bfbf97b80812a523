"""The partner directory's lookups (issue 13): `for_supplier` as the outbound worker asks it
for each PO event, served from memory after one read of the profiles' log position, against
the raw baseline of the same lookup over JSON files read and parsed on each call (what the
gateway did before profiles were event-sourced), in the same run on the embedded store.

Run: .venv/bin/python tests/connectors/gateway/bench_partner_directory.py [--partners 50]
[--lookups 5000]. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The repository first: tests/connectors/ would shadow the connectors package.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from connectors.gateway.profile import PartnerProfile, profile_from_json
from supplyhub.partner_desk import partner_directory
from supplyhub.settings import Settings


def profile(n: int) -> dict[str, Any]:
    return {
        "partner": f"p{n:04d}", "supplier": f"SUP-{n:04d}", "dialect": "x12",
        "version": "005010", "ours": {"qualifier": "ZZ", "id": "HUB"},
        "theirs": {"qualifier": "ZZ", "id": f"P{n:04d}"},
        "items": {f"VP-{i}": f"ITEM-{i}" for i in range(40)}, "units": {"EA": "EA"},
    }  # fmt: skip


def from_files(folder: Path, supplier: str) -> PartnerProfile | None:
    for path in sorted(folder.glob("*.json")):
        found = profile_from_json(json.loads(path.read_text()))
        if found.supplier == supplier:
            return found
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--lookups", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        files = data / "files"
        files.mkdir()
        for n in range(args.partners):
            (files / f"p{n:04d}.json").write_text(json.dumps(profile(n)))
        directory = partner_directory(Settings(data_dir=data))
        for n in range(args.partners):
            directory.book.put(f"p{n:04d}", profile(n), "bench")
        suppliers = [f"SUP-{n % args.partners:04d}" for n in range(args.lookups)]

        start = time.perf_counter()
        for supplier in suppliers:
            directory.for_supplier(supplier)
        served = args.lookups / (time.perf_counter() - start)

        raw_lookups = max(50, args.lookups // 20)  # the raw way is slow: fewer, same rate
        start = time.perf_counter()
        for supplier in suppliers[:raw_lookups]:
            from_files(files, supplier)
        raw = raw_lookups / (time.perf_counter() - start)

        start = time.perf_counter()
        directory.book.put("p0000", {**profile(0), "currency": "EUR"}, "bench")
        seen = directory.profile("p0000").currency
        refresh_ms = (time.perf_counter() - start) * 1000
        directory.book.register.close()
    print(f"partners: {args.partners}, lookups: {args.lookups}")
    print(f"directory for_supplier: {served:,.0f} lookups/s")
    print(f"raw, JSON files read per lookup: {raw:,.0f} lookups/s")
    print(f"ratio: {served / raw:.1f} x")
    print(f"a new version put and seen by the next lookup: {refresh_ms:.1f} ms ({seen})")


if __name__ == "__main__":
    main()
