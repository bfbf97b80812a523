"""One part of a rebuild split between processes: both ends of the child process. The
rebuilding process starts it through `ChildPart`; the child runs `main` as
`python -m supplyhub.rebuild_part`, never by hand.

The child reads its job as JSON on stdin (so the database URL and its password never show in
the process list), writes its rows, and exits 0; on failure it prints the error as one line
on stdout and exits 1. It stops if the process that started it is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from projections.projection import PartError, Projection
from projections.rebuild.blue_green import build_part
from projections.rebuild.parts import ProjectionPart, Segment
from projections.stores.postgres_views import PostgresViewStore
from supplyhub.bootstrap import open_hub
from supplyhub.projection_set import processors
from supplyhub.settings import Settings


class ChildPart:
    """A part of a rebuild in a child process (the rebuild's `Helper`)."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.label = f"part {job['index'] + 1} of {job['count']}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "supplyhub.rebuild_part"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdin is not None  # (PIPE)
        self.proc.stdin.write(json.dumps(job))
        self.proc.stdin.close()

    def join(self) -> None:
        """Wait for the child; raise with its error line if it failed."""
        assert self.proc.stdout is not None  # (PIPE)
        said = self.proc.stdout.read().strip()
        if self.proc.wait() != 0:
            raise RuntimeError(
                f"rebuild {self.label} failed (exit {self.proc.returncode}): {said or 'no message'}"
            )

    def stop(self) -> None:
        """Kill the child (its open transaction rolls back) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


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
