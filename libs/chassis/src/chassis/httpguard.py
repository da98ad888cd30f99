"""Two pure ASGI middlewares every app installs (services and the gateway):

- `BodySizeLimitMiddleware`: a request body above the limit gets 413 early. A
  `Content-Length` above it is refused before anything reads the body; a body
  without one (chunked) is counted as it streams and cut once it passes the
  limit. Routes that take larger bodies (documents) get their own limit, by
  exact path or path prefix.
- `SecurityHeadersMiddleware`: `X-Content-Type-Options: nosniff` on every
  response, problems and early answers included.

No response is buffered: both only look at the messages going by.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.asgi import HttpMiddleware, RawHeaders, on_response_start, with_headers
from chassis.errors import PROBLEM_JSON

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: every JSON body of the API fits many times over
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit: the problem
    handlers turn it into the same 413 as an early refusal."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    return f"the request body is larger than the {limit} bytes this route accepts"


def _problem_413(limit: int, path: str) -> bytes:
    body = {
        "type": "https://creditdesk.dev/problems/request-too-large",
        "title": "Content Too Large",
        "status": 413,
        "detail": too_large_detail(limit),
        "instance": path,
    }
    return json.dumps(body).encode()


class BodyLimits:
    """The body limit of each path: `per_path` maps a path to its own limit, an exact path
    (`/companies`), or a prefix when it ends with `*` (`/documents/*`); `max_bytes` elsewhere."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BODY_BYTES, per_path: Mapping[str, int] | None = None) -> None:
        self.max_bytes = max_bytes
        paths = per_path or {}
        self.exact = {path: limit for path, limit in paths.items() if not path.endswith("*")}
        # Longest prefix first, so `/a/b*` wins over `/a*`.
        self.prefixes = sorted(
            ((path[:-1], limit) for path, limit in paths.items() if path.endswith("*")), key=lambda item: -len(item[0])
        )

    def limit_for(self, path: str) -> int:
        if path in self.exact:
            return self.exact[path]
        for prefix, limit in self.prefixes:
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def guard(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The limit applied to one request: None when it was refused (the 413 is sent), else the
        `receive` to read its body through (raising `BodyTooLarge` once the body passes the limit)."""
        limit = self.limit_for(scope.get("path", ""))
        declared: int | None = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
                break
        if declared is not None and declared > limit:
            if declared <= LINGER_BYTES:
                # Read (and drop) a moderately large body first: the server closes the
                # connection once the answer is sent, and unread data would turn that
                # close into a reset the client sees instead of the 413.
                await _linger(receive)
            await self._refuse(scope, send, limit)
            return None
        if declared == 0:
            return receive  # nothing to count
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return counted

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        body = _problem_413(limit, scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware(HttpMiddleware):
    """`BodyLimits` applied to every HTTP request of `app`."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES, per_path: Mapping[str, int] | None = None
    ) -> None:
        super().__init__(app)
        self.limits = BodyLimits(max_bytes, per_path)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limited = await self.limits.guard(scope, receive, send)
        if limited is not None:
            await self.app(scope, limited, send)


# A declared body above the limit but at most this large is read and thrown away
# (within LINGER_SECONDS) before the 413, so the client reads the answer instead
# of a reset connection; a larger one is answered at once, unread.
LINGER_BYTES = 8 * 1024 * 1024
LINGER_SECONDS = 2.0


async def _linger(receive: Receive) -> None:
    drained = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while drained <= LINGER_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


class SecurityHeadersMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, on_response_start(send, _secured))


def _secured(_status: int, headers: RawHeaders) -> RawHeaders:
    return with_headers(headers, SECURITY_HEADERS)


def document_body_limit(app: FastAPI) -> None:
    """Add the 413 answer to every operation of the app's OpenAPI that takes a body."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        operation.setdefault("responses", {}).setdefault(
                            "413",
                            {
                                "description": "Request body larger than the limit (MAX_BODY_BYTES)",
                                "content": {PROBLEM_JSON: {}},
                            },
                        )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
