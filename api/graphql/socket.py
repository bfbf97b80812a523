"""WebSocket /graphql: subscriptions (and any operation) over graphql-transport-ws, signed in
with the hub's own bearer token in the `connection_init` payload."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.auth import Principal, Role, UnauthenticatedError
from api.envelope import Envelope
from api.graphql.context import RequestContext
from api.graphql.endpoint import GraphQLEndpoint
from api.graphql.live import LiveFeed
from domain.provenance import Channel

# Stands in until `connection_init` names the caller: the protocol lets nothing run before
# the acknowledgement (a `subscribe` first closes the socket with 4401), and this principal
# would see no supplier's documents anyway.
_NOBODY = Principal(subject="", role=Role.SUPPLIER, supplier="\0")


class GraphQLSocket(GraphQL[RequestContext, None]):
    """strawberry's graphql-transport-ws handler on our schema and context; no GraphiQL, no
    HTTP (POST /graphql is `GraphQLEndpoint`'s)."""

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
