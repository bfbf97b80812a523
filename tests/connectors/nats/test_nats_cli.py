"""`supplyhub worker relay|inbound`, `replay` and `dlq` as separate processes beside the
embedded SQLite store, the way an operator runs them (see docs/operations.md)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from inbound_fixtures import release, upsert_supplier
from nats.js.errors import NotFoundError
from nats_helpers import COMMANDS, EVENTS, delete_streams, eventually, read_stream
from servers import NatsServer
from test_inbound_commands import send

from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.settings import Settings
from supplyhub.workers import start_in_process

pytestmark = pytest.mark.nats


@pytest.fixture
def env(tmp_path: Path, nats_server: NatsServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    if not nats_server.running:
        nats_server.start()
    asyncio.run(delete_streams(nats_server.url, EVENTS, COMMANDS))
    values = {"SUPPLYHUB_DATA_DIR": str(tmp_path), "SUPPLYHUB_NATS_URL": nats_server.url}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


@pytest.fixture
def worker(
    env: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[subprocess.Popen[str]]:
    argv = [str(Path(sys.executable).parent / "supplyhub"), "worker", request.param]
    with (tmp_path / "worker.log").open("w") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=15)


@pytest.mark.parametrize("worker", ["relay"], indirect=True)
def test_the_relay_process_publishes_the_log_and_stops_cleanly_on_sigterm(
    worker: subprocess.Popen[str], nats_server: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a seeded embedded store and a relay process beside it
    assert main(["demo", "--purchase-orders", "4"]) == 0

    # then the events stream fills up, and the relay exits 0 on SIGTERM
    async def filled() -> bool:
        try:
            return len(await read_stream(nats_server.url)) > 20
        except NotFoundError:  # the relay has not created the stream yet
            return False

    asyncio.run(eventually(filled, timeout=30))
    assert stop(worker) == 0

    # and a replay of a range republishes it (dropped as duplicates inside the window)
    capsys.readouterr()
    assert main(["replay", "--from", "1", "--to", "10"]) == 0
    assert "Republished" in capsys.readouterr().out


@pytest.mark.parametrize("worker", ["inbound"], indirect=True)
def test_the_inbound_process_dead_letters_a_poison_command_that_dlq_then_retries(
    worker: subprocess.Popen[str], nats_server: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # given an inbound worker process, and a release for a supplier not known yet
    asyncio.run(send(nats_server.url, release("4600", supplier="SUP-LATE")))

    async def dead_lettered() -> bool:
        main(["dlq", "list"])
        return "po:4600" in capsys.readouterr().out

    asyncio.run(eventually(dead_lettered, timeout=30))

    # when the supplier arrives and the operator retries the document
    asyncio.run(send(nats_server.url, upsert_supplier("SUP-LATE")))
    asyncio.run(eventually(lambda: _settled(nats_server.url), timeout=30))
    assert stop(worker) == 0
    assert main(["dlq", "retry", "po:4600"]) == 0

    # then nothing is left dead, and an unknown document is a usage error
    capsys.readouterr()
    assert main(["dlq", "list"]) == 0
    assert "No dead letters." in capsys.readouterr().out
    assert main(["dlq", "drop", "po:nope"]) == 2


async def _settled(url: str) -> bool:
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().consumer_info(COMMANDS, "supplyhub-inbound")
        return (info.num_pending or 0, info.num_ack_pending or 0) == (0, 0)
    finally:
        await nc.close()


def test_workers_refuse_to_start_without_a_nats_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUPPLYHUB_NATS_URL", raising=False)
    assert main(["worker", "relay"]) == 2
    assert "SUPPLYHUB_NATS_URL" in capsys.readouterr().out


def test_serve_can_run_the_relay_and_inbound_worker_in_process_when_nats_is_set(
    env: dict[str, str], nats_server: NatsServer, tmp_path: Path
) -> None:
    # given a hub on the embedded store, and NATS configured
    settings = Settings(data_dir=tmp_path, nats_url=nats_server.url)
    hub = open_hub(settings)
    handle = start_in_process(settings, hub)
    assert handle is not None
    try:
        # when a connector sends commands on NATS
        asyncio.run(send(nats_server.url, upsert_supplier("SUP-ACME"), release("4800")))

        # then they are applied and their events come back out on NATS
        async def published() -> bool:
            try:
                subjects = {m.subject for m in await read_stream(nats_server.url)}
            except NotFoundError:
                return False
            return "supplyhub.events.purchase_order.released" in subjects

        asyncio.run(eventually(published, timeout=20))
    finally:
        handle.stop()
        hub.close()
    assert not handle.thread.is_alive()
    assert start_in_process(Settings(data_dir=tmp_path, nats_url=""), hub) is None  # NATS off
