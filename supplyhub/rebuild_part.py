"""One part of a rebuild split between processes, run as `python -m supplyhub.rebuild_part`
by the rebuilding process (`read_side.ChildPart`), never by hand.

It reads its job as JSON on stdin (so the database URL and its password never show in the
process list), writes its rows, and exits 0; on failure it prints the error as one line on
stdout and exits 1. It stops if the process that started it is gone."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from projections.projection import PartError, Projection
from projections.rebuild.blue_green import build_part
from projections.rebuild.parts import ProjectionPart, Segment
from projections.stores.postgres_views import PostgresViewStore
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import processors
from supplyhub.settings import Settings


def run(job: dict[str, Any], parent: int) -> None:
    settings = Settings(
        database_url=job["database_url"], database_schema=job["database_schema"], pool_size=2
    )
    projection = next((p for p in processors() if p.name == job["name"]), None)
    if not isinstance(projection, Projection):
        raise PartError(f"{job['name']} cannot be rebuilt in parts")

    def watch(position: int, until: int) -> None:
        if os.getppid() != parent:
            raise PartError("the rebuild that started this part is gone")

    hub = open_hub(settings)
    store = PostgresViewStore(settings.database_url, settings.database_schema)
    store.register(projection)
    try:
        part = ProjectionPart(
            projection, Segment(job["index"], job["count"], job["low"], job["high"])
        )
        build_part(hub.recorder, hub.mapper.to_domain_event, store, part, job["version"],
                   job["until"], job["batch_size"], watch)  # fmt: skip
    finally:
        store.close()
        hub.close()


def main() -> int:
    job = json.loads(sys.stdin.read())
    try:
        run(job, job["parent"])
    except Exception as error:  # reported to the rebuilding process, which fails the rebuild
        print(f"{type(error).__name__}: {error}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
