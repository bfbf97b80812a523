"""A real uvicorn serving the composed app in a background thread, on 127.0.0.1 and a free port."""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from connectors.demo import run_scenario
from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.cli.api import build_app, serve_metrics
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings


@dataclass
class LiveHub:
    url: str
    settings: Settings
    hub: SupplyHub
    read_side: ReadSide
    app: Any = None  # the served FastAPI app (its state: the live feed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(settings: Settings, purchase_orders: int = 36) -> Iterator[LiveHub]:
    """Seed the demo, catch the views up, then serve as `supplyhub serve` would."""
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    run_scenario(hub, purchase_orders)
    read_side.runner.catch_up()
    read_side.runner.start()
    app = build_app(
        settings, hub, read_side.read_models, read_side.write_fault, projections=read_side.status
    )
    read_side.runner.published.append(app.state.live.wake)  # as `supplyhub serve` does
    stop_metrics = serve_metrics(settings, app, "127.0.0.1")
    try:
        with serving_app(app) as url:
            yield LiveHub(url, settings, hub, read_side, app)
    finally:
        stop_metrics()
        read_side.close()
        hub.close()


@contextmanager
def serving_app(app: Any) -> Iterator[str]:
    """Any ASGI app on a real uvicorn; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def token(*args: str) -> dict[str, str]:
    """A bearer token from `supplyhub token create`, as a developer would get one."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["token", "create", *args]) == 0
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}


def graphql_post(live: LiveHub, headers: dict[str, str], query: str, **variables: Any) -> Any:
    """A GraphQL request over HTTP; the transport must answer 200 whatever the result."""
    response = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response
