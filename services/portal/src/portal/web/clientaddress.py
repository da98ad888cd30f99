"""The person's address, forwarded to the gateway (`X-Forwarded-For`) with every API call
made for their request, so that the gateway's per-client rate limits (anonymous calls:
login, sign-up, password recovery) count people, not the portal's few addresses.

The address is the platform's one rule (`chassis.clientaddress`) applied to the request
the portal received: its socket peer, or, when that peer is one of `PORTAL_TRUSTED_PROXIES`
(the portal's own front: its ingress controller), the nearest `X-Forwarded-For` entry that
is not one of them. The gateway believes it only from a peer in `GATEWAY_TRUSTED_PROXIES`
(the portal's address in compose, the pod network on the cluster: ADR 0044)."""

from __future__ import annotations

from contextvars import ContextVar

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis import clientaddress
from chassis.asgi import HttpMiddleware
from chassis.clock import Clock
from chassis.settings import ProcessSettings

# The address of the person whose request is being served; None outside a request.
CURRENT_CLIENT: ContextVar[str | None] = ContextVar("portal_client_address", default=None)


def current_client() -> str | None:
    return CURRENT_CLIENT.get()


class ClientAddressMiddleware(HttpMiddleware):
    """Pure ASGI: sets `CURRENT_CLIENT` for the whole request (pages and their API calls)."""

    def __init__(self, app: ASGIApp, settings: ProcessSettings, clock: Clock) -> None:
        super().__init__(app)
        self.settings = settings
        self.clock = clock

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = clientaddress.of_request(Request(scope), self.settings, self.clock.now())
        token = CURRENT_CLIENT.set(address)
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT_CLIENT.reset(token)
