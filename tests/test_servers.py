"""The real-server fixtures: PostgreSQL and NATS JetStream, on loopback."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any, LiteralString

import nats
import psycopg
import pytest
from servers import NatsServer, PostgresServer


@pytest.mark.postgres
def test_postgres_server_accepts_connections_on_loopback(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        row = conn.execute("select inet_server_addr(), inet_server_port()").fetchone()
    assert row is not None
    address, port = row
    assert str(address) == "127.0.0.1"
    assert port == postgres_server.port


@pytest.mark.postgres
def test_each_test_gets_its_own_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute("create table marker (id int)")
    other_url = postgres_server.create_database(f"other_{uuid.uuid4().hex}")

    mine = _scalar(postgres_url, "select current_database()")
    other = _scalar(other_url, "select current_database()")
    assert mine.startswith("test_")
    assert other not in (mine, postgres_server.dbname)
    assert _scalar(postgres_url, "select to_regclass('marker')::text") == "marker"
    assert _scalar(other_url, "select to_regclass('marker')::text") is None


@pytest.mark.postgres
def test_database_names_that_would_need_quoting_are_rejected(
    postgres_server: PostgresServer,
) -> None:
    with pytest.raises(ValueError, match="database name"):
        postgres_server.create_database('Bad"Name')


@pytest.mark.nats
def test_nats_jetstream_keeps_messages_across_a_restart(nats_server: NatsServer) -> None:
    stream = f"restart_{uuid.uuid4().hex[:12]}"
    subject = f"{stream}.events"

    async def publish_before_crash() -> int:
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            await js.add_stream(name=stream, subjects=[f"{stream}.>"])
            return (await js.publish(subject, b"before")).seq
        finally:
            await nc.close()

    async def read_and_publish_after_restart() -> tuple[bytes | None, int, int]:
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            before = await js.get_msg(stream, seq=first_seq)
            after_seq = (await js.publish(subject, b"after")).seq
            stored = (await js.stream_info(stream)).state.messages
            return before.data, after_seq, stored
        finally:
            await nc.close()

    first_seq = asyncio.run(publish_before_crash())
    try:
        # SIGKILL loses nothing acknowledged: JetStream writes to its store
        # file (the OS page cache) before it acks a publish.
        nats_server.kill()
        assert not nats_server.running
        with pytest.raises(OSError):  # really gone, not just detached
            socket.create_connection((nats_server.host, nats_server.port), timeout=1).close()
        nats_server.start()
        data, after_seq, stored = asyncio.run(read_and_publish_after_restart())
    finally:
        if not nats_server.running:  # leave the session server usable
            nats_server.start()

    assert data == b"before"
    assert after_seq == first_seq + 1
    assert stored == 2


def _scalar(url: str, query: LiteralString) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]
