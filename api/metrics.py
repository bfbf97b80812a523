"""Prometheus metrics of one app, on its own registry: requests, command outcomes, lag."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projections.store_faults import StoreFault


class Metrics:
    def __init__(self, plain_routes: frozenset[str] = frozenset()) -> None:
        # Plain Starlette routes are not recorded in the scope by FastAPI's router: name them
        # here, so unmatched paths still share one label.
        self.plain_routes = plain_routes
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "supplyhub_http_requests", "HTTP requests by route and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "supplyhub_http_request_seconds", "HTTP request latency by route",
            ["route"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
        )  # fmt: skip
        self.outcomes = Counter(
            "supplyhub_command_outcomes", "Commands handled, by command and outcome status",
            ["command", "status"], registry=self.registry,
        )  # fmt: skip
        self.lag = Gauge(
            "supplyhub_projection_lag_events", "Events in the log not yet in the read models",
            registry=self.registry,
        )  # fmt: skip
        self.cache_hits = Counter(
            "supplyhub_graphql_cache_hits", "GraphQL answers served from the response cache",
            registry=self.registry,
        )  # fmt: skip
        self.store_faults = StoreFaults(
            Counter(
                "supplyhub_store_faults", "Requests the store could not serve, by kind",
                ["kind"], registry=self.registry,
            )
        )  # fmt: skip

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Pure ASGI, so the cached GraphQL path pays microseconds, not a task per request."""

        async def measured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def send_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_status)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route is None:
                    route = scope["path"] if scope["path"] in self.plain_routes else "unmatched"
                self.requests.labels(scope["method"], route, str(status)).inc()
                self.latency.labels(route).observe(time.perf_counter() - started)

        return measured


class StoreFaults:
    """Store faults requests met: counted, and the last one that refused a write is kept for
    `WINDOW` seconds, so /readyz turns 503 with its reason while writes fail (a full disk is
    only found by writing)."""

    WINDOW = 30.0
    REFUSING_WRITES = frozenset({"read_only", "disk_full", "io_error", "unreachable"})

    def __init__(self, counter: Counter, clock: Callable[[], float] = time.monotonic) -> None:
        self.counter, self.clock = counter, clock
        self._last: tuple[float, str] | None = None

    def note(self, fault: StoreFault) -> None:
        self.counter.labels(fault.kind).inc()
        if fault.kind in self.REFUSING_WRITES:
            self._last = (self.clock(), fault.reason)

    def recent(self) -> str:
        """The last refused write's reason if it is recent, else ""."""
        if self._last is None or (age := self.clock() - self._last[0]) > self.WINDOW:
            return ""
        return f"{self._last[1]} (a request failed {age:.0f} s ago)"


def body_limit(app: ASGIApp, max_bytes: int) -> ASGIApp:
    """Refuse bodies over `max_bytes` with 413, whether announced by Content-Length or not."""
    too_large = (
        b'{"type":"about:blank","title":"request body too large","status":413,'
        b'"detail":"the body exceeds ' + str(max_bytes).encode() + b' bytes"}'
    )

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                headers = [(b"content-type", b"application/problem+json")]
                await send({"type": "http.response.start", "status": 413, "headers": headers})
                await send({"type": "http.response.body", "body": too_large})
                return
        received = 0

        async def counted() -> Message:
            # A chunked body has no Content-Length: count it as it arrives; the error
            # handlers turn the exception into the same 413 problem.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise HTTPException(413, f"the body exceeds {max_bytes} bytes")
            return message

        await app(scope, counted, send)

    return limited
