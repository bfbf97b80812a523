"""Subscriptions asked the same way by callers who see the same things share one execution:
each change's result is computed and serialized once, and the same text goes to every socket.

Two subscriptions are the same when their document, variables and operation name are, and so
is the caller's visibility: the role (what is nulled) and the supplier scope (whose
documents). The first one opens the stream with its own context; the others join it; the
last to leave closes it (and with it the live feed's queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.types.execution import ExecutionResult, PreExecutionError

from api.auth import Principal

log = logging.getLogger(__name__)


@lru_cache(maxsize=512)
def is_subscription(text: str, operation_name: str | None) -> bool:
    """Only subscriptions are shared; a document that does not parse is left to strawberry."""
    try:
        operation = get_operation_ast(parse(text), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


@dataclass(frozen=True)
class Asked:
    """What makes two subscriptions' results the same, byte for byte."""

    query: str
    variables: str  # canonical JSON
    operation_name: str | None
    role: str
    scope: str | None  # the supplier the caller is limited to; None: every supplier

    @classmethod
    def of(
        cls, query: str, variables: Mapping[str, object] | None, operation_name: str | None,
        principal: Principal,
    ) -> Asked:  # fmt: skip
        canonical = json.dumps(variables or {}, sort_keys=True, default=str)
        return cls(query, canonical, operation_name, str(principal.role), principal.scope)


@dataclass
class Next:
    """One execution's result, serialized once: `message(id)` wraps it for one operation."""

    payload: str
    _messages: dict[str, str] = field(default_factory=dict)

    def message(self, operation_id: str) -> str:
        found = self._messages.get(operation_id)
        if found is None:
            found = f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{self.payload}}}'
            self._messages[operation_id] = found
        return found


@dataclass(frozen=True)
class Unshared:
    """A result each socket answers itself: a pre-execution error (it may close the socket)
    or an incremental delivery (refused); the stream ends after it."""

    result: Any


@dataclass(frozen=True)
class End:
    """The stream is over: `error` when it failed (each operation then completes)."""

    error: BaseException | None = None


Item = Next | Unshared | End
Open = Callable[[], Awaitable[AsyncIterator[Any]]]


@dataclass
class _Stream:
    members: set[asyncio.Queue[Item]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class SharedSubscriptions:
    """The streams open in this process, by what was asked."""

    def __init__(self, encode: Callable[[object], str]) -> None:
        self.encode = encode
        self._streams: dict[Asked, _Stream] = {}
        self.executions = 0  # results computed (once per change and stream, not per socket)

    @property
    def streams(self) -> int:
        return len(self._streams)

    @property
    def members(self) -> int:
        return sum(len(stream.members) for stream in self._streams.values())

    @contextlib.asynccontextmanager
    async def join(self, asked: Asked, open_stream: Open) -> AsyncIterator[asyncio.Queue[Item]]:
        """A queue of the stream's results for one operation; `open_stream` (the first
        joiner's execution) runs only if no stream was open for `asked`."""
        stream = self._streams.get(asked)
        if stream is None:
            stream = self._streams[asked] = _Stream()
            stream.task = asyncio.create_task(self._produce(asked, stream, open_stream))
            stream.task.add_done_callback(_retrieved)
        queue: asyncio.Queue[Item] = asyncio.Queue()
        stream.members.add(queue)
        try:
            yield queue
        finally:
            stream.members.discard(queue)
            if not stream.members:
                self._forget(asked, stream)
                if stream.task is not None:
                    stream.task.cancel()  # closes the execution, and its live feed queue

    def _forget(self, asked: Asked, stream: _Stream) -> None:
        if self._streams.get(asked) is stream:
            del self._streams[asked]

    async def _produce(self, asked: Asked, stream: _Stream, open_stream: Open) -> None:
        end = End()
        try:
            source = await open_stream()
            async with contextlib.aclosing(source):  # type: ignore[type-var]
                first = True
                async for result in source:
                    item = self._item(result, first)
                    first = False
                    for queue in tuple(stream.members):
                        queue.put_nowait(item)
                    if isinstance(item, Unshared):
                        break
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("a shared subscription failed")
            end = End(error)
        self._forget(asked, stream)  # a later joiner opens a new execution
        for queue in tuple(stream.members):
            queue.put_nowait(end)

    def _item(self, result: Any, first: bool) -> Item:
        if (first and isinstance(result, PreExecutionError)) or not isinstance(
            result, ExecutionResult
        ):
            return Unshared(result)
        self.executions += 1
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        return Next(self.encode(payload))


def _retrieved(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()  # logged in `_produce`; retrieved so asyncio does not warn
