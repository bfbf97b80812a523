"""Fault injection on the real servers: workers killed with SIGKILL mid-stream, PostgreSQL
stopped and started again on its data directory, NATS stopped and restarted. Each fault is
followed by the same checks: every event in the stream exactly once and in order per
document, every good command applied exactly once and in order, the views equal a rebuild.

The workers run as the processes an operator runs (`supplyhub worker NAME`). PostgreSQL here
is this module's own server, so restarting it disturbs no other test. Waits are on counts
and states, each with a deadline; never a sleep standing in for a condition."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
import servers
from inbound_fixtures import line, message, upsert_supplier
from nats_helpers import COMMANDS, EVENTS, delete_streams, published_events, read_stream, received
from servers import NatsServer, PostgresServer
from test_inbound_commands import consumer_state, send

from connectors.demo import run_scenario
from connectors.nats.command_messages import InboundMessage
from domain.application import SupplyHub
from domain.purchase_order import PurchaseOrder
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings

pytestmark = [pytest.mark.nats, pytest.mark.postgres]

SUPPLYHUB = str(Path(sys.executable).parent / "supplyhub")
COUNTS: dict[str, Any] = {}  # what each fault test observed, printed at the end of the module


class RestartablePostgres:
    """A PostgreSQL of this module's own that can be stopped (fast shutdown) and started
    again on the same data directory and port."""

    def __init__(self, base_dir: Path) -> None:
        self.bin_dir = servers._postgres_bin_dir()
        self.account = servers._postgres_account()
        self.log_path = base_dir / "postgres.log"
        self.data_dir = Path(tempfile.mkdtemp(prefix="supplyhub-pg-faults-"))
        if self.account is not None:
            os.chown(self.data_dir, self.account.pw_uid, self.account.pw_gid)
        servers._initdb(self.bin_dir, self.data_dir, self.account, self.log_path)
        self.proc, self.server = servers._on_a_free_port(self._launch)

    def _launch(self, port: int) -> tuple[subprocess.Popen[bytes], PostgresServer]:
        return servers._launch_postgres(self.bin_dir, self.data_dir, port, self.account,
                                        self.log_path)  # fmt: skip

    def stop(self) -> None:
        servers.stop_process(self.proc, signal.SIGINT)  # "fast": roll back, disconnect all

    def start(self) -> None:
        self.proc, _ = self._launch(self.server.port)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartablePostgres]:
    own = RestartablePostgres(tmp_path_factory.mktemp("postgres-faults"))
    yield own
    own.close()
    print("\nfault counts:", json.dumps(COUNTS, indent=1))


@pytest.fixture
def settings(postgres: RestartablePostgres, tmp_path: Path, nats_server: NatsServer) -> Settings:
    if not nats_server.running:
        nats_server.start()
    asyncio.run(delete_streams(nats_server.url, EVENTS, COMMANDS))
    url = postgres.server.create_database(f"faults_{uuid.uuid4().hex[:12]}")
    return Settings(data_dir=tmp_path, database_url=url, nats_url=nats_server.url)


class Workers:
    """`supplyhub worker NAME` processes, with quick retries, killed or stopped at will."""

    def __init__(self, settings: Settings, tmp_path: Path, **extra: str) -> None:
        self.settings = settings
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "SUPPLYHUB_DATA_DIR": str(settings.data_dir),
            "SUPPLYHUB_DATABASE_URL": settings.database_url,
            "SUPPLYHUB_NATS_URL": settings.nats_url,
            "SUPPLYHUB_WORKER_RETRY_INITIAL_SECONDS": "0.05",
            "SUPPLYHUB_WORKER_RETRY_MAX_SECONDS": "0.5",
            **extra,
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.started: dict[str, float] = {}
        subprocess.run([SUPPLYHUB, "migrate"], env=self.env, check=True, capture_output=True)

    def start(self, name: str) -> None:
        self.started[name] = time.time()
        with (self.tmp_path / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                [SUPPLYHUB, "worker", name], env=self.env, stdout=log, stderr=log
            )

    def kill(self, name: str) -> None:
        """SIGKILL: no batch is finished, nothing is acked or committed on the way out."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait()

    def kill_while(self, name: str, condition: Callable[[], int], timeout: float = 15.0) -> int:
        """SIGKILL at a moment `condition()` is non-zero (e.g. commands fetched, not acked):
        the process is frozen (SIGSTOP) while it is checked, thawed if it does not hold."""
        proc = self.procs[name]
        deadline = time.monotonic() + timeout
        while True:
            proc.send_signal(signal.SIGSTOP)
            if found := condition():
                self.kill(name)
                return found
            proc.send_signal(signal.SIGCONT)
            assert time.monotonic() < deadline, f"{name}: the moment to kill never came"
            time.sleep(0.005)

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def state(self, name: str) -> dict[str, Any]:
        try:
            found: dict[str, Any] = json.loads(
                (self.settings.data_dir / "heartbeats" / f"{name}.json").read_text()
            )
        except (OSError, ValueError):  # not written yet, or being replaced
            return {}
        return found

    def _looping(self, name: str) -> bool:
        """Its first heartbeat since it was started: written from inside its loop."""
        return bool(self.state(name).get("at", 0) >= self.started[name])

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> dict[str, int]:
        """SIGTERM each worker once it runs its loop: a worker still importing its modules
        (seconds on a busy machine) has no handler yet and would die of the signal."""
        for name in self.procs:
            wait_for(lambda name=name: self._looping(name), f"{name} in its loop")
        for proc in self.procs.values():
            proc.send_signal(signal.SIGTERM)
        codes = {name: proc.wait(timeout=20) for name, proc in self.procs.items()}
        self.procs.clear()
        return codes

    def close(self) -> None:
        for proc in self.procs.values():
            proc.kill()
            proc.wait()


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(**extra: str) -> Workers:
        made.append(Workers(settings, tmp_path, **extra))
        return made[-1]

    yield make
    for each in made:
        each.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f}s: {what}"
        time.sleep(0.02)


def stream_count(url: str, stream: str = EVENTS) -> int:
    async def count() -> int:
        nc = await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=1)
        try:
            return (await nc.jetstream().stream_info(stream)).state.messages
        except nats.js.errors.NotFoundError:
            return 0
        finally:
            await nc.close()

    try:
        return asyncio.run(count())
    except (OSError, nats.errors.Error):  # NATS restarting
        return -1


def assert_stream_holds_the_log_once_and_in_order(url: str, hub: SupplyHub) -> int:
    got = received(asyncio.run(read_stream(url)))
    expected = published_events(hub)
    assert len(got) == len(expected)
    assert len({(r.originator, r.version) for r in got}) == len(got)  # no duplicate
    assert {(r.originator, r.version) for r in got} == set(expected)  # nothing missing
    versions: dict[str, list[int]] = defaultdict(list)
    for r in got:
        versions[r.originator].append(r.version)
    assert all(v == list(range(v[0], v[0] + len(v))) for v in versions.values())
    return len(got)


def views_equal_a_rebuild(settings: Settings, hub: SupplyHub) -> int:
    read_side = open_read_side(settings, hub)
    try:
        live = {n: list(read_side.store.scan_all(n)) for n in read_side.names()}
        for name in read_side.names():
            read_side.rebuild(name, processes=1)
        rebuilt = {n: list(read_side.store.scan_all(n)) for n in read_side.names()}
    finally:
        read_side.close()
    assert live == rebuilt
    return sum(len(rows) for rows in live.values())


def test_the_relay_and_the_projections_worker_ride_out_a_postgres_restart(
    settings: Settings, postgres: RestartablePostgres, workers: Callable[..., Workers]
) -> None:
    # given the relay and the projections worker running, and events being written
    running = workers()
    running.start("relay")
    running.start("projections")
    hub = open_hub(settings)
    run_scenario(hub, 20)
    hub.close()
    wait_for(lambda: stream_count(settings.nats_url) > 0, "the relay published")

    # when PostgreSQL is stopped (fast shutdown) and started again on its data directory
    postgres.stop()
    wait_for(
        lambda: all(running.state(w).get("state") == "retrying" for w in running.procs),
        "both workers noticed and are retrying",
    )
    retrying = {w: running.state(w)["failures"] for w in running.procs}
    postgres.start()
    hub = open_hub(settings)  # a writer with fresh connections, after the restart
    try:
        run_scenario(hub, 40, seed=8)
        head = hub.recorder.max_notification_id() or 0

        # then both kept running, caught up with what was written after the restart...
        published = len(published_events(hub))
        wait_for(lambda: stream_count(settings.nats_url) == published, "the relay caught up")
        read_side = open_read_side(settings, hub)
        try:
            wait_for(lambda: read_side.runner.position() >= head, "the views caught up")
        finally:
            read_side.close()
        assert running.alive("relay") and running.alive("projections")
        wait_for(
            lambda: all(running.state(w).get("state") == "running" for w in running.procs),
            "both workers report running again",
        )
        assert running.stop_all() == {"relay": 0, "projections": 0}

        # ...with every event in the stream once and in order, and views equal to a rebuild
        events = assert_stream_holds_the_log_once_and_in_order(settings.nats_url, hub)
        rows = views_equal_a_rebuild(settings, hub)
    finally:
        hub.close()
    assert "terminating connection due to administrator command" in running.log("relay")
    COUNTS["postgres restart"] = {"events in stream": events, "of published": published,
                                  "view rows equal to rebuild": rows,
                                  "failures while down": retrying}  # fmt: skip


def test_the_relay_killed_twice_mid_stream_and_nats_restarted_publishes_each_event_once(
    settings: Settings, nats_server: NatsServer, workers: Callable[..., Workers]
) -> None:
    # given a relay publishing in small batches while the log grows
    running = workers(SUPPLYHUB_RELAY_BATCH_SIZE="20")
    running.start("relay")
    hub = open_hub(settings)
    writer = threading.Thread(target=run_scenario, args=(hub, 120))
    writer.start()
    try:
        # when it is killed with SIGKILL twice mid-stream and started again each time
        kills = []
        for at_least in (100, 400):
            wait_for(lambda n=at_least: stream_count(settings.nats_url) >= n, f"{at_least} out")
            running.kill("relay")
            kills.append(stream_count(settings.nats_url))
            running.start("relay")
        writer.join()
        # and NATS is stopped while it relays, then started again
        nats_server.stop()
        wait_for(lambda: running.state("relay").get("state") == "retrying", "relay retrying")
        nats_server.start()

        # then it caught up, and the stream holds every event once, in order per document
        published = len(published_events(hub))
        wait_for(lambda: stream_count(settings.nats_url) == published, "the relay caught up")
        assert running.stop_all() == {"relay": 0}
        events = assert_stream_holds_the_log_once_and_in_order(settings.nats_url, hub)
    finally:
        writer.join()
        hub.close()
    COUNTS["relay kill -9 x2 + NATS restart"] = {"events in stream": events,
                                                 "of published": published,
                                                 "stream count at each kill": kills}  # fmt: skip


def test_the_projections_worker_killed_twice_mid_catch_up_leaves_views_equal_a_rebuild(
    settings: Settings, workers: Callable[..., Workers]
) -> None:
    # given a log the views have not seen yet, and a projections worker catching up on it
    hub = open_hub(settings)
    run_scenario(hub, 300)
    head = hub.recorder.max_notification_id() or 0
    read_side = open_read_side(settings, hub)
    running = workers()
    try:
        # when it is killed with SIGKILL twice part way (each time after it made progress
        # since it was started), and started again each time
        kills = [0]
        running.start("projections")
        for share in (4, 2):
            running.kill_while("projections", lambda s=share, last=kills[-1]: int(
                max(head // s, last + 1) <= read_side.runner.position() < head))  # fmt: skip
            kills.append(read_side.runner.position())
            running.start("projections")
        kills = kills[1:]

        # then it catches up, and the views are what a rebuild makes of the log
        wait_for(lambda: read_side.runner.position() >= head, "the views caught up")
        assert running.stop_all() == {"projections": 0}
    finally:
        read_side.close()
    try:
        rows = views_equal_a_rebuild(settings, hub)
    finally:
        hub.close()
    COUNTS["projections kill -9 x2"] = {"events": head, "position at each kill": kills,
                                        "view rows equal to rebuild": rows}  # fmt: skip


def test_the_relay_rides_out_nats_killed_and_publishes_each_event_once(
    settings: Settings, nats_server: NatsServer, workers: Callable[..., Workers]
) -> None:
    # given a relay publishing while the log grows
    running = workers(SUPPLYHUB_RELAY_BATCH_SIZE="20")
    running.start("relay")
    hub = open_hub(settings)
    try:
        run_scenario(hub, 40)
        wait_for(lambda: stream_count(settings.nats_url) > 50, "the relay published", timeout=60)
        # when nats-server dies (SIGKILL) mid-stream, events go on being written, and it
        # comes back on the same store
        nats_server.kill()
        run_scenario(hub, 80)  # POs 41-80 are new (1-40 replay): the relay must publish
        wait_for(
            lambda: running.state("relay").get("state") == "retrying", "relay retrying", timeout=60
        )
        nats_server.start()

        # then the relay caught up, and the stream holds every event once and in order
        published = len(published_events(hub))
        wait_for(
            lambda: stream_count(settings.nats_url) == published, "the relay caught up", timeout=60
        )
        assert running.stop_all() == {"relay": 0}
        events = assert_stream_holds_the_log_once_and_in_order(settings.nats_url, hub)
    finally:
        hub.close()
    COUNTS["NATS kill -9"] = {"events in stream": events, "of published": published}


def po_commands(pos: list[str], revisions: int) -> list[InboundMessage]:
    """Release, then revisions 2..N, for each purchase order: interleaved, as an ERP sends."""
    sent = [upsert_supplier("SUP-ACME", "sup-faults")]
    for revision in range(1, revisions + 1):
        for po in pos:
            if revision == 1:
                fields = {"supplier": "SUP-ACME", "currency": "EUR"}
                kind = "release_purchase_order"
            else:
                fields = {"revision": revision}
                kind = "revise_purchase_order"
            sent.append(message(kind, f"{po}-r{revision}", po_number=po,
                                lines=[line(quantity=str(100 + revision))], **fields))  # fmt: skip
    return sent


def test_the_inbound_worker_killed_twice_with_commands_unacked_applies_each_once_in_order(
    settings: Settings, workers: Callable[..., Workers]
) -> None:
    # given an inbound worker with small batches and a short ack wait, so a killed worker's
    # unacked batch comes back after newer commands were handed to its successor
    running = workers(
        SUPPLYHUB_INBOUND_BATCH_SIZE="10",
        SUPPLYHUB_INBOUND_ACK_WAIT_SECONDS="4",
        SUPPLYHUB_INBOUND_HOLD_SECONDS="60",
    )
    running.start("inbound")
    # 400 commands, ~8 s of them: both kills must come while commands still arrive (with
    # 200, a slow restart once found the stream over and never a partial batch unacked)
    pos = [f"48{n:08d}" for n in range(40)]
    commands = po_commands(pos, 10)
    hub = open_hub(settings)

    async def publish_steadily() -> None:  # ~50 commands a second, as an ERP would
        for start in range(0, len(commands), 5):
            await send(settings.nats_url, *commands[start : start + 5])
            await asyncio.sleep(0.1)

    def a_partial_batch_unacked() -> int:
        """Fewer unacked than a batch: the successor is handed newer commands at once."""
        unacked = asyncio.run(consumer_state(settings.nats_url))[1]
        return unacked if 0 < unacked < 10 else 0

    sender = threading.Thread(target=asyncio.run, args=(publish_steadily(),))
    sender.start()
    try:
        # when it is killed with SIGKILL twice, mid-stream with commands fetched and not
        # acked, and started again each time
        kills = []
        for more in (40, 40):
            at_least = (hub.recorder.max_notification_id() or 0) + more
            wait_for(lambda n=at_least: (hub.recorder.max_notification_id() or 0) >= n,
                     f"{at_least} events written")  # fmt: skip
            kills.append(running.kill_while("inbound", a_partial_batch_unacked))
            running.start("inbound")
        sender.join()

        # then every purchase order reaches revision 10...
        def revision(po: str) -> int:
            found = hub.repository.get(PurchaseOrder.create_id(po))
            assert isinstance(found, PurchaseOrder)
            return int(found.revision)

        def all_done() -> bool:
            try:
                return all(revision(po) == 10 for po in pos)
            except Exception:  # a purchase order not released yet
                return False

        wait_for(all_done, "every purchase order at revision 10", timeout=25)
        # ...each command applied once, in order, and nothing held or dead
        for po in pos:
            history = hub.history(PurchaseOrder.create_id(po))
            revisions = [
                getattr(e, "revision", 1) for e in history if "Revised" in type(e).__name__
            ]
            assert revisions == list(range(2, 11)), po
        assert running.stop_all() == {"inbound": 0}
        listing = subprocess.run([SUPPLYHUB, "dlq", "list"], env=running.env, capture_output=True,
                                 text=True, check=True)  # fmt: skip
        assert listing.stdout.strip() == "No dead letters."
    finally:
        sender.join()
        hub.close()
    held = running.log("inbound").count("holding a command")
    COUNTS["inbound kill -9 x2"] = {"commands": len(commands), "purchase orders at revision 10":
                                    len(pos), "unacked at each kill": kills,
                                    "commands held for their predecessor": held,
                                    "dead letters": 0}  # fmt: skip
