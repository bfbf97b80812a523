"""The compose deployment, started by hand as docs/operations.md says: `migrate`, then the API,
the projection worker, the relay and the inbound worker as separate processes against real
PostgreSQL and NATS. End to end: a command in on NATS -> event -> projection -> GraphQL
answer -> event out on NATS."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from inbound_fixtures import release, upsert_supplier
from nats.js.errors import NotFoundError
from nats_helpers import COMMANDS, EVENTS, delete_streams, read_stream
from servers import NatsServer, PostgresServer
from test_inbound_commands import send

pytestmark = [pytest.mark.nats, pytest.mark.postgres]

SUPPLYHUB = str(Path(sys.executable).parent / "supplyhub")
# `serve` outside development mode refuses the development secret, as a deployment must.
SECRET = {"SUPPLYHUB_JWT_SECRET": "deployment-test-secret-of-at-least-32-chars"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(params=["separate processes on PostgreSQL", "one process on SQLite"])
def deployment(
    request: pytest.FixtureRequest,
    postgres_server: PostgresServer,
    nats_server: NatsServer,
    tmp_path: Path,
) -> Iterator[str]:
    """Start the processes of a deployment; yield the API's URL.

    Separately: every process the compose file starts (API replicas with --api-only).
    In one: `supplyhub serve` alone on the embedded store, running the projections, the relay
    and the inbound worker itself because SUPPLYHUB_NATS_URL is set."""
    if not nats_server.running:
        nats_server.start()
    asyncio.run(delete_streams(nats_server.url, EVENTS, COMMANDS))
    port = free_port()
    env = {**os.environ, **SECRET, "SUPPLYHUB_DATA_DIR": str(tmp_path)}
    env.pop("SUPPLYHUB_DATABASE_URL", None)
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    if request.param == "one process on SQLite":
        commands = [(serve, {**env, "SUPPLYHUB_NATS_URL": nats_server.url})]
    else:
        env["SUPPLYHUB_DATABASE_URL"] = postgres_server.create_database(
            f"deployment_{uuid.uuid4().hex[:12]}"
        )
        workers = {**env, "SUPPLYHUB_NATS_URL": nats_server.url}
        subprocess.run([SUPPLYHUB, "migrate"], env=env, check=True, capture_output=True)
        commands = [
            ([*serve, "--api-only"], env),
            (["worker", "projections"], env),
            (["worker", "relay"], workers),
            (["worker", "inbound"], workers),
        ]
    procs = []
    for argv, proc_env in commands:
        with (tmp_path / f"{argv[0]}-{argv[-1]}.log").open("w") as log:
            procs.append(subprocess.Popen([SUPPLYHUB, *argv], env=proc_env, stdout=log, stderr=log))
    try:
        yield f"http://127.0.0.1:{port}"
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=20) for proc in procs]
        # uvicorn re-raises the SIGTERM it handled after a graceful shutdown
        assert codes[0] in (0, -signal.SIGTERM)
        assert codes[1:] == [0] * (len(codes) - 1)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def bearer(role: str) -> dict[str, str]:
    done = subprocess.run(
        [SUPPLYHUB, "token", "create", "--role", role],
        env={**os.environ, **SECRET}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def test_a_command_sent_on_nats_is_answered_over_graphql_and_published_as_an_event(
    deployment: str, nats_server: NatsServer
) -> None:
    # given the multi-process deployment, when an ERP connector sends commands on NATS
    asyncio.run(send(nats_server.url, upsert_supplier("SUP-ACME"), release("4700000001")))

    # then the purchase order is answered by the API from its read model
    buyer = bearer("buyer")
    query = '{ purchaseOrder(number: "4700000001") { number revision } }'
    deadline = time.monotonic() + 30
    answer = None
    while answer is None:
        assert time.monotonic() < deadline, "the purchase order never reached the API"
        try:
            response = httpx.post(f"{deployment}/graphql", json={"query": query}, headers=buyer)
            answer = response.json()["data"]["purchaseOrder"] if response.is_success else None
        except httpx.TransportError:  # the API is still starting
            pass
        time.sleep(0.2)
    assert answer == {"number": "4700000001", "revision": 1}

    # and its event went out on NATS with the connector's correlation id
    async def released() -> list[str]:
        try:
            messages = await read_stream(nats_server.url)
        except NotFoundError:
            return []
        return [
            m.headers.get("Supplyhub-Correlation-Id", "")
            for m in messages
            if m.headers and m.subject == "supplyhub.events.purchase_order.released"
        ]

    deadline = time.monotonic() + 30
    while not (correlations := asyncio.run(released())):
        assert time.monotonic() < deadline, "the event never reached NATS"
        time.sleep(0.2)
    assert correlations == ["corr-rel-4700000001"]
