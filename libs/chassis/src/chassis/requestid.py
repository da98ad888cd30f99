"""Request ids: accept the client's `X-Request-ID` or make one, and echo it back.

A pure ASGI middleware (no response buffering): it stores the id in the
request state (the gateway sends it upstream) and in a context variable (the
JSON logs carry it), and adds it to every response, problem responses included.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from chassis.asgi import HttpMiddleware, RawHeaders, on_response_start, with_headers

REQUEST_ID_HEADER = "x-request-id"
_HEADER = REQUEST_ID_HEADER.encode()
# Ids from clients are logged and forwarded: accept only short, plain tokens.
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


CURRENT_REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_of(request: Request) -> str:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else new_request_id()


def request_id_from(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is a plain token of at most 128 characters, else a new id."""
    for name, value in scope.get("headers", []):
        if name == _HEADER:
            incoming = value.decode("latin-1").strip()
            return incoming if _VALID.match(incoming) else new_request_id()
    return new_request_id()


def request_id_header(request_id: str) -> tuple[bytes, bytes]:
    return (_HEADER, request_id.encode("latin-1"))


class RequestIdMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        added = (request_id_header(request_id),)

        def with_id(_status: int, headers: RawHeaders) -> RawHeaders:
            return with_headers(headers, added)

        token = CURRENT_REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, on_response_start(send, with_id))
        finally:
            CURRENT_REQUEST_ID.reset(token)
