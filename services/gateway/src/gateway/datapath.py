"""The data path: `/api/<service>/...` served as a pure ASGI app, beside FastAPI's router (ADR 0036).

Every forwarded call used to go through FastAPI's whole stack: its exception and
telemetry middlewares, the router's match over every route, `request_response`
with its dependency solving and exit stack, and Starlette's exception handlers.
A py-spy profile of the gateway put a large share of its CPU there for a route
that takes nothing from FastAPI but the path parameters (bench/README.md).

`GatewayApp` is the FastAPI app (lifespan, the gateway's own routes, the merged
OpenAPI, tests' transports) that hands a proxied call to `data_path` instead:
the same chassis middlewares as the app's, in the same order (security headers,
request id, body limit, HTTP metrics under the proxy routes' templates, the
last-resort error log), then the proxy endpoint, whose problems are answered
as the app's problem handlers answer them. Whatever the data path does not
match (a method it does not forward, a path the router would not match either)
goes to FastAPI as before, so both answer the same.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.errors import ErrorLogMiddleware, Problem, http_problem, problem_response
from chassis.httpguard import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from chassis.metrics import HttpMetricsMiddleware, ServiceMetrics
from chassis.requestid import RequestIdMiddleware

# What the router's `/api/{service}/{path:path}` and `/api/{service}` match (Starlette's `str` and
# `path` convertors: no `/` in the service, no newline anywhere).
PROXY_PATH = re.compile(r"^/api/(?P<service>[^/]+)(?:/(?P<path>.*))?$")

Proxy = Callable[[str, Request], Awaitable[Response]]


def proxy_endpoint(proxy: Proxy) -> ASGIApp:
    """`proxy(service, request)` as an ASGI app answering its problems as problem+json."""

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await proxy(scope["path_params"]["service"], request)
        except Problem as problem:
            response = problem_response(problem, scope["path"])
        except HTTPException as refusal:  # e.g. the body limit's BodyTooLarge, raised while streaming
            response = problem_response(http_problem(refusal), scope["path"])
        await response(scope, receive, send)

    return endpoint


def data_path_app(
    proxy: Proxy, *, metrics: ServiceMetrics, max_body_bytes: int, body_limits: Mapping[str, int]
) -> ASGIApp:
    """The proxy endpoint inside the chassis middlewares the app installs, in the app's order
    (outermost first: security headers, request id, body limit, metrics, error log)."""
    inner: ASGIApp = ErrorLogMiddleware(proxy_endpoint(proxy))
    inner = HttpMetricsMiddleware(inner, metrics=metrics)
    inner = BodySizeLimitMiddleware(inner, max_bytes=max_body_bytes, per_path=body_limits)
    inner = RequestIdMiddleware(inner)
    return SecurityHeadersMiddleware(inner)


class GatewayApp(FastAPI):
    """FastAPI, except that a proxied call goes to `data_path` (set by `gateway.app.create_app`)."""

    data_path: ASGIApp | None = None
    methods: frozenset[str] = frozenset()
    # The router's proxy routes: the metrics label a call with their template, as before.
    routes_by_shape: tuple[BaseRoute, BaseRoute] | None = None

    def serve_data_path(
        self, data_path: ASGIApp, methods: Sequence[str], with_path: BaseRoute, bare: BaseRoute
    ) -> None:
        self.data_path, self.methods, self.routes_by_shape = data_path, frozenset(methods), (with_path, bare)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.data_path is not None and self.routes_by_shape is not None and scope["type"] == "http":
            match = PROXY_PATH.match(scope["path"]) if scope["method"] in self.methods else None
            if match is not None:
                service, path = match.group("service"), match.group("path")
                scope["app"] = self
                if path is None:
                    scope["path_params"], scope["route"] = {"service": service}, self.routes_by_shape[1]
                else:
                    scope["path_params"] = {"service": service, "path": path}
                    scope["route"] = self.routes_by_shape[0]
                await self.data_path(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
