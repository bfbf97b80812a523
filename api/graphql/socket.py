"""WebSocket /graphql: subscriptions (and any operation) over graphql-transport-ws, signed in
with the hub's own bearer token in the `connection_init` payload."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from api.auth import Principal, Role, UnauthenticatedError
from api.envelope import Envelope
from api.graphql.context import RequestContext
from api.graphql.endpoint import GraphQLEndpoint
from api.graphql.live import LiveFeed
from api.graphql.shared import Asked, End, Next, SharedSubscriptions, is_subscription
from domain.provenance import Channel

# Stands in until `connection_init` names the caller: the protocol lets nothing run before
# the acknowledgement (a `subscribe` first closes the socket with 4401), and this principal
# would see no supplier's documents anyway.
_NOBODY = Principal(subject="", role=Role.SUPPLIER, supplier="\0")


class SharingHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """strawberry's protocol handler, except that a subscription joins the stream of the same
    subscription asked with the same visibility (`api/graphql/shared.py`) instead of running
    its own execution; queries (and refused mutations) run as strawberry runs them."""

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        if not is_subscription(operation.query, operation.operation_name):
            await super().run_operation(operation)
            return
        view = cast(GraphQLSocket, self.view)
        asked = Asked.of(
            operation.query, operation.variables, operation.operation_name,
            self.context.principal,
        )  # fmt: skip

        async def execution() -> Any:  # the first joiner's, run once for all
            return await self.schema.stream(
                operation.query, variable_values=operation.variables,
                context_value=self.context, root_value=self.root_value,
                operation_name=operation.operation_name,
            )  # fmt: skip

        try:
            async with view.shared.join(asked, execution) as results:
                while not isinstance(item := await results.get(), End):
                    if isinstance(item, Next):
                        if operation.completed:
                            return
                        await self._send(item.message(operation.id))
                    elif isinstance(item.result, PreExecutionError):
                        await self._handle_pre_execution_error(operation, item.result)
                    else:
                        await self._reject_incremental_delivery(operation)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except (_OperationStreamClosed, WebSocketDisconnect):  # the socket is gone or closed
            return
        except Exception as error:  # as strawberry's own `run_operation`
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def _send(self, text: str) -> None:
        """The shared text as it is: encoded once for every socket."""
        websocket: WebSocket = self.websocket.ws  # type: ignore[attr-defined]
        await websocket.send_text(text)


class GraphQLSocket(GraphQL[RequestContext, None]):
    """strawberry's graphql-transport-ws handler on our schema and context; no GraphiQL, no
    HTTP (POST /graphql is `GraphQLEndpoint`'s); subscriptions asked alike share one
    execution (`SharingHandler`)."""

    graphql_transport_ws_handler_class = SharingHandler

    def __init__(self, endpoint: GraphQLEndpoint, feed: LiveFeed) -> None:
        super().__init__(
            endpoint.schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.endpoint = endpoint
        self.feed = feed
        self.shared = SharedSubscriptions(self.encode_json_string)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        context = self.endpoint.context(_NOBODY, self._envelope(_NOBODY))
        context.live = self.feed
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Refuses (close 4403) a `connection_init` without a token this hub accepts."""
        authorization = context.connection_params.get("authorization")
        try:
            principal = self.endpoint.tokens.principal(
                authorization if isinstance(authorization, str) else None
            )
        except UnauthenticatedError as error:
            raise ConnectionRejectionError({"detail": str(error)}) from None
        context.principal = principal
        context.envelope = self._envelope(principal)
        return cast(UnsetType, UNSET)  # strawberry types its sentinel as Any

    def _envelope(self, principal: Principal) -> Envelope:
        return Envelope.of(principal, Channel.PORTAL, self.endpoint.clock, None, b"")
