"""The JetStream streams the backbone uses, created on first use, and small connection helpers."""

from __future__ import annotations

import logging
from typing import Any

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

# How long JetStream remembers a Nats-Msg-Id: a republish inside it is dropped as a duplicate.
DUPLICATE_WINDOW_SECONDS = 120.0


async def ensure_stream(
    js: JetStreamContext,
    name: str,
    subjects: list[str],
    duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
    **config: Any,
) -> None:
    """Create the stream if it is missing; an existing one is left as the operator set it.

    `config`: more of the stream's settings (e.g. the audit stream's ``deny_delete``)."""
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=subjects,
                storage=StorageType.FILE,
                duplicate_window=duplicate_window,
                **config,
            )
        )


async def connect(url: str, **options: Any) -> Client:
    """A connection without client-side reconnects, failing fast when the server is away.

    Retrying is the worker loop's job (with backoff, and noted in the worker's health): left
    to itself, nats-py tries an unreachable address 60 times, 2 s apart, inside one call."""

    async def quiet(error: Exception) -> None:
        log.debug("NATS: %r", error)

    chosen: dict[str, Any] = {
        "error_cb": quiet,
        "allow_reconnect": False,
        "max_reconnect_attempts": 1,
        "reconnect_time_wait": 0.05,
        "connect_timeout": 2,
        **options,  # the caller's choice wins (e.g. a longer connect_timeout)
    }
    return await nats.connect(url, **chosen)


async def close_quietly(nc: Client) -> None:
    try:
        await nc.close()
    except Exception as error:  # the server may already be gone
        log.debug("closing the NATS connection: %r", error)
