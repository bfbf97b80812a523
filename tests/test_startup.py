"""A deployment starts its API replicas and workers together: their start-up DDL must not
collide on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from servers import PostgresServer

from supplyhub.bootstrap import open_hub
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings
from supplyhub.workers import create_tables

pytestmark = pytest.mark.postgres


def start_everything(settings: Settings) -> None:
    """What `serve`, `worker projections|relay|inbound` and `migrate` do on start."""
    hub = open_hub(settings)
    try:
        open_read_side(settings, hub, listen=False).close()
        create_tables(settings)
    finally:
        hub.close()


@pytest.mark.parametrize("round_", range(3))
def test_processes_starting_at_once_on_a_fresh_database_all_come_up(
    postgres_server: PostgresServer, tmp_path: Path, round_: int
) -> None:
    url = postgres_server.create_database(f"startup_{uuid.uuid4().hex[:12]}")
    settings = Settings(data_dir=tmp_path, database_url=url)
    starting = threading.Barrier(6)
    failures: list[BaseException] = []

    def start() -> None:
        starting.wait(timeout=30)
        try:
            start_everything(settings)
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
