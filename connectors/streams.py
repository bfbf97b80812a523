"""The JetStream streams the backbone uses, created on first use with their dedupe window."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

# How long JetStream remembers a Nats-Msg-Id: a republish inside it is dropped as a duplicate.
DUPLICATE_WINDOW_SECONDS = 120.0


async def ensure_stream(
    js: JetStreamContext,
    name: str,
    subjects: list[str],
    duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
) -> None:
    """Create the stream if it is missing; an existing one is left as the operator set it."""
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=subjects,
                storage=StorageType.FILE,
                duplicate_window=duplicate_window,
            )
        )
