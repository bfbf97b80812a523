"""What anchors the audit chain outside the database: the checkpoint key (settings or a key
file, never the database), the append-only checkpoint file, and its copy on a NATS stream.

Process wiring (settings -> key file, checkpoint file, NATS stream), so it stays in
supplyhub/; the checkpoints' format and checks are pure, in projections/audit_checkpoints.py."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from nats.errors import Error as NatsError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from connectors.nats.streams import close_quietly, connect, ensure_stream
from projections.audit_checkpoints import Checkpoint
from supplyhub.settings import SecretFileError, Settings

MIN_KEY_LENGTH = 16


class AuditSetupError(Exception):
    """The audit cannot run as configured (no store, no key, a bad key); nothing was read."""


def audit_key(settings: Settings) -> bytes | None:
    """The checkpoint key from the settings or its file; None when neither is set."""
    try:
        key = settings.secret("audit_key")
    except SecretFileError as error:
        raise AuditSetupError(str(error)) from None
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise AuditSetupError(f"the audit key must have at least {MIN_KEY_LENGTH} characters")
    return key.encode()


def checkpoint_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line.strip()]


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable; the file is never opened for anything else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the NATS copy of the checkpoints -------------------------------------------------------


def audit_subject(stream: str) -> str:
    return f"{stream}.checkpoint"


async def _publish(url: str, stream: str, checkpoint: Checkpoint) -> None:
    nc = await connect(url, connect_timeout=5)
    try:
        js = nc.jetstream()
        # messages of this stream cannot be deleted nor purged by the API
        await ensure_stream(js, stream, [audit_subject(stream)], deny_delete=True, deny_purge=True)
        msg_id = f"checkpoint-{checkpoint.position}-{checkpoint.at}"
        await js.publish(
            audit_subject(stream), checkpoint.line().encode(), stream=stream,
            headers={"Nats-Msg-Id": msg_id},
        )  # fmt: skip
    finally:
        await close_quietly(nc)


async def _read(url: str, stream: str) -> list[str]:
    nc = await connect(url, connect_timeout=5)
    try:
        js = nc.jetstream()
        try:
            last = (await js.stream_info(stream)).state.last_seq
        except NotFoundError:
            return []
        lines: list[str] = []
        if not last:
            return lines
        sub = await js.pull_subscribe(
            audit_subject(stream), stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )  # fmt: skip
        sequence = 0
        while sequence < last:
            for msg in await sub.fetch(1000, timeout=5):
                lines.append(msg.data.decode())
                sequence = msg.metadata.sequence.stream or last
        return lines
    finally:
        await close_quietly(nc)


def publish_checkpoint(settings: Settings, checkpoint: Checkpoint) -> None:
    """A copy on the NATS stream when NATS is on: outside the database and the file's disk."""
    if settings.nats_url:
        asyncio.run(_publish(settings.nats_url, settings.audit_nats_stream, checkpoint))


def stream_lines(settings: Settings) -> list[str] | None:
    """The checkpoints on the NATS stream; None when NATS is off."""
    if not settings.nats_url:
        return None
    try:
        return asyncio.run(_read(settings.nats_url, settings.audit_nats_stream))
    except (OSError, TimeoutError, NatsError) as error:
        raise AuditSetupError(f"cannot read the checkpoint stream from NATS: {error!r}") from None
