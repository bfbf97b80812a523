"""The one resilient worker loop: transient failures are retried and shown, fatal ones end
the worker, and a health check reads the heartbeat (no servers needed)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from servers import NatsServer

from api.auth import Role
from connectors.database import Database
from connectors.nats.dead_letters import DeadLetterStore
from connectors.nats.inbound import InboundWorker
from connectors.workers.loop import Backoff, ResilientLoop, WorkerHealth
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.cli.api import auth_config, build_app
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings
from supplyhub.workers import worker_loop, worker_statuses

SECRET = "worker-loop-test-secret-of-32-characters"


def ADMIN(settings: Settings) -> dict[str, str]:  # noqa: N802 (reads as the header it is)
    return {"Authorization": f"Bearer {auth_config(settings).issue(Role.ADMIN)}"}


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"nats://127.0.0.1:{sock.getsockname()[1]}"


def quick(worker: str, heartbeat: Path | None = None) -> ResilientLoop:
    return ResilientLoop(WorkerHealth(worker, heartbeat), Backoff(0.01, 0.05))


def test_transient_failures_are_retried_until_the_session_runs_and_a_bug_ends_the_loop() -> None:
    loop = quick("relay")
    calls: list[str] = []

    async def flaky() -> None:
        calls.append("try")
        if len(calls) <= 3:  # the database restarting, then NATS refusing, then DNS
            raise (ConnectionRefusedError, OSError, TimeoutError)[len(calls) - 1]("away")
        loop.health.progress()
        stop.set()

    async def buggy() -> None:
        raise KeyError("a bug")

    stop = asyncio.Event()
    asyncio.run(loop.run(flaky, stop))
    assert (len(calls), loop.health.state.retries_total, loop.health.state.state) == (
        4,
        3,
        "stopped",
    )

    with pytest.raises(KeyError):
        asyncio.run(loop.run(buggy, asyncio.Event()))
    assert loop.health.state.state == "failed"
    assert "a bug" in loop.health.state.last_error


def test_a_worker_that_cannot_reach_nats_shows_as_retrying_in_readyz_and_the_metrics(
    tmp_path: Path,
) -> None:
    # given an inbound worker whose NATS is not there, beside the API in one process
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET)
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    store = DeadLetterStore(Database.sqlite(tmp_path / "hub.sqlite3"))
    worker = InboundWorker(hub, store, closed_port_url(), loop=quick("inbound"))

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(worker.run(stop),))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while worker.loop.health.state.failures < 3:  # (it keeps retrying meanwhile)
            assert time.monotonic() < deadline, "the worker never retried"
            time.sleep(0.01)
        app = build_app(settings, hub, read_side.read_models, workers=[worker.loop.health])
        with TestClient(app) as client:
            ready = client.get("/readyz").json()
            metrics = client.get("/metrics", headers=ADMIN(settings)).text
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
        read_side.close()
        hub.close()

    # then readiness names it as retrying, and the metrics count its failures
    assert ready["workers"] == {"inbound": "retrying"}
    assert 'supplyhub_worker_retrying{worker="inbound"} 1.0' in metrics
    assert 'supplyhub_worker_failures{worker="inbound"}' in metrics


def test_the_worker_health_check_needs_a_fresh_heartbeat_of_a_worker_not_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SUPPLYHUB_WORKER_HEARTBEAT_MAX_AGE_SECONDS", "30")
    health = WorkerHealth("relay", tmp_path / "heartbeats" / "relay.json")

    assert main(["worker", "relay", "--health"]) == 1  # never started
    health.progress()
    assert main(["worker", "relay", "--health"]) == 0
    health.failed(ConnectionRefusedError("NATS away"))
    assert main(["worker", "relay", "--health"]) == 0  # alive, retrying
    health.stopped(KeyError("a bug"))
    assert main(["worker", "relay", "--health"]) == 1
    assert "relay is failed: KeyError" in capsys.readouterr().out


def test_an_api_replica_shows_a_worker_of_another_process_retrying_or_gone_silent(
    tmp_path: Path,
) -> None:
    # given a relay process (here: its loop) that cannot reach NATS, recording its state
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET, worker_heartbeat_max_age_seconds=30)
    relay = worker_loop(settings, "relay").health
    relay.failed(ConnectionRefusedError("NATS away"))
    statuses = worker_statuses(settings)
    deadline = time.monotonic() + 10
    while [s.state for s in statuses.all(30)] != ["retrying"]:  # written in the background
        assert time.monotonic() < deadline, "the relay's state was never recorded"
        time.sleep(0.01)

    # when an API replica (no worker of its own) is asked
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    try:
        app = build_app(settings, hub, read_side.read_models)
        with TestClient(app) as client:
            ready = client.get("/readyz").json()
            metrics = client.get("/metrics", headers=ADMIN(settings)).text
    finally:
        read_side.close()
        hub.close()

    # then it names the relay as retrying, and one not heard of for too long as silent
    assert ready["workers"] == {"relay": "retrying"}
    assert 'supplyhub_worker_retrying{worker="relay"} 1.0' in metrics
    assert [s.state for s in statuses.all(30, now=time.time() + 31)] == ["silent"]


@pytest.mark.nats
def test_a_worker_with_a_setting_it_cannot_run_with_exits_1_saying_why(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    # given a relay told to publish to a stream JetStream refuses to create (a bad name)
    if not nats_server.running:
        nats_server.start()
    env = {
        **os.environ,
        "SUPPLYHUB_DATA_DIR": str(tmp_path),
        "SUPPLYHUB_NATS_URL": nats_server.url,
        "SUPPLYHUB_NATS_STREAM_EVENTS": "BAD.NAME",
    }
    env.pop("SUPPLYHUB_DATABASE_URL", None)

    # when it starts, it does not retry forever: it stops at once, non-zero, naming the error
    done = subprocess.run([str(Path(sys.executable).parent / "supplyhub"), "worker", "relay"],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert "relay worker stopped by a fatal error" in done.stdout
    assert "invalid stream name: 'BAD.NAME'" in done.stdout


def test_processes_opening_a_new_sqlite_store_together_all_get_in(tmp_path: Path) -> None:
    # given several connections opening the same new file at once (a worker's status thread
    # and the API starting together), each switching it to WAL
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def open_and_write(n: int, path: Path) -> None:
        db = Database.sqlite(path)
        start.wait()
        try:
            with db.transaction() as tx:
                tx.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
                tx.execute("INSERT INTO t VALUES (?)", (n,))
        except BaseException as error:
            failures.append(error)
        finally:
            db.close()

    for round_ in range(10):
        path = tmp_path / f"new-{round_}.sqlite3"
        threads = [threading.Thread(target=open_and_write, args=(n, path)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # then none was refused with "database is locked"
    assert failures == []
