"""The console's republish of a log range to NATS, against a real nats-server: what
`supplyhub replay` does, asked for by the operator and recorded with who and why."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import nats
import pytest
from browser import bearer
from live_server import LiveHub, serving
from servers import NatsServer

from api.auth import Role
from supplyhub.settings import Settings


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, nats_server: NatsServer) -> Iterator[LiveHub]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("republish"), dev_mode=True, nats_url=nats_server.url,
        nats_stream_events="CONSOLE_REPUBLISH",
    )  # fmt: skip
    with serving(settings, purchase_orders=4) as hub:
        yield hub
    # JetStream refuses a second stream on the same subjects: the session's nats-server
    # must not keep this one for the relay tests' own.
    asyncio.run(delete_stream(nats_server.url, "CONSOLE_REPUBLISH"))


async def delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


async def stored(url: str, stream: str) -> int:
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().stream_info(stream)
    finally:
        await nc.close()
    return int(info.state.messages)


def test_the_operator_republishes_a_log_range_to_nats_and_it_is_recorded(
    live: LiveHub,
) -> None:
    url = f"{live.url}/console/replay"
    body = {"from": 3, "to": 12, "reason": "analytics lost a day"}

    done = httpx.post(url, json=body, headers=bearer(live, Role.ADMIN))

    assert done.status_code == 200, done.text
    assert (done.json()["target"], done.json()["action"]) == ("log:3-12", "republish")
    published = done.json()["applied"]  # the events of the range the relay publishes
    assert 0 < published <= 10
    assert asyncio.run(stored(live.settings.nats_url, "CONSOLE_REPUBLISH")) == published
    actions = httpx.get(f"{live.url}/console/dead-letters", headers=bearer(live, Role.AUDITOR))
    latest = actions.json()["actions"][0]
    assert (latest["document"], latest["actor"], latest["reason"]) == (
        "log:3-12", "admin-user", "analytics lost a day",
    )  # fmt: skip
    inbound = httpx.get(f"{live.url}/console/backbone", headers=bearer(live, Role.AUDITOR))
    assert any(p["worker"] == "inbound (NATS)" for p in inbound.json())
