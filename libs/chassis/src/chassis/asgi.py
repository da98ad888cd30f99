"""The one send wrapper: how a pure ASGI middleware sees, or changes, the start of an answer.

Security headers, the request id, the last-resort error log, the HTTP metrics (and the
portal's own headers and access log) each need the answer's status or its headers, never its
body: `on_response_start(send, edit)` calls `edit(status, headers)` once, on the
`http.response.start` message, and sends the headers it returns (the same ones when it
returns None). Nothing is buffered. A middleware that needs several of these at once (the
gateway's data path) does them in one `edit`, so that each answer is wrapped once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]
StartEdit = Callable[[int, RawHeaders], RawHeaders | None]


def with_headers(
    headers: Iterable[tuple[bytes, bytes]], added: Iterable[tuple[bytes, bytes]], *, drop: Collection[bytes] = ()
) -> RawHeaders:
    """`headers` with `added` set: any header of the same name (any case), or named in `drop`
    (lower case), is removed first, so each added header appears once."""
    added = tuple(added)
    names = {name for name, _ in added}.union(drop)
    kept = [(name, value) for name, value in headers if name.lower() not in names]
    kept.extend(added)
    return kept


def on_response_start(send: Send, edit: StartEdit) -> Send:
    """`send`, with the answer's start passed through `edit(status, headers)` first."""

    async def send_edited(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = edit(int(message["status"]), list(message.get("headers", ())))
            if headers is not None:
                message = {**message, "headers": headers}
        await send(message)

    return send_edited


class HttpMiddleware:
    """A pure ASGI middleware that acts on HTTP requests only: lifespan (and any other
    scope) goes straight to the app. Subclasses write `http`; one with settings of its own
    calls `super().__init__(app)` first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
