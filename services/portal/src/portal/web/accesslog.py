"""The access log: method, path, status and duration of each request, never its query
string (a `next=` or a search may carry personal data) nor a fragment (browsers never
send one; mailed tokens live there). Uvicorn's own access log, which logs the query
string, is turned off by the app."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.asgi import HttpMiddleware
from chassis.metrics import observe

log = logging.getLogger("portal.access")


def logged_path(scope: Scope) -> str:
    """The path as logged: without query string or fragment, whatever the client sent."""
    path = str(scope.get("path", ""))
    return path.split("?", 1)[0].split("#", 1)[0]


class AccessLogMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, logger: logging.Logger = log) -> None:
        super().__init__(app)
        self.log = logger

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        def line(status: int, seconds: float) -> None:
            self.log.info("%s %s %d %.1fms", scope.get("method", "-"), logged_path(scope), status, seconds * 1000)

        await observe(self.app, scope, receive, send, line)
