"""The data path: `/api/<service>/...` served as a pure ASGI app, beside FastAPI's router (ADR 0036).

Every forwarded call used to go through FastAPI's whole stack: its exception and
telemetry middlewares, the router's match over every route, `request_response`
with its dependency solving and exit stack, and Starlette's exception handlers.
A py-spy profile of the gateway put a large share of its CPU there for a route
that takes nothing from FastAPI but the path parameters (bench/README.md).

`GatewayApp` is the FastAPI app (lifespan, the gateway's own routes, the merged
OpenAPI, tests' transports) that hands a proxied call to `data_path` instead:
`DataPathGuard`, which does what the app's chassis middlewares do, in one pass
(ADR 0041: security headers, request id, body limit, HTTP metrics under the
proxy routes' templates, the last-resort error log), then the proxy endpoint,
whose problems are answered as the app's problem handlers answer them. Whatever the data path does not
match (a method it does not forward, a path the router would not match either)
goes to FastAPI as before, so both answer the same.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.asgi import RawHeaders, on_response_start, with_headers
from chassis.errors import Problem, answer_unhandled, http_problem, problem_response
from chassis.httpguard import SECURITY_HEADERS, BodyLimits
from chassis.metrics import ServiceMetrics, route_of
from chassis.requestid import CURRENT_REQUEST_ID, request_id_from, request_id_header

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


class DataPathGuard:
    """The app's five chassis middlewares in one pass (ADR 0041), with the same answers: security
    headers and the request id on every answer (`chassis.httpguard`, `chassis.requestid`), the body
    limit (its 413 before anything else), the HTTP metrics under the proxy routes' templates
    (`chassis.metrics`), and the last-resort error log (`chassis.errors`). Stacked, each wrapped
    `send` and copied the answer's headers (their own cost: about 7 % of the gateway's busy CPU,
    bench/README.md)."""

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, body_limit: BodyLimits) -> None:
        self.app = app
        self.metrics = metrics
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        added = (*SECURITY_HEADERS, request_id_header(request_id))
        status = 0

        def start(code: int, headers: RawHeaders) -> RawHeaders:
            nonlocal status
            status = code
            return with_headers(headers, added)

        answer = on_response_start(send, start)
        token = CURRENT_REQUEST_ID.set(request_id)
        try:
            limited = await self.body_limit.guard(scope, receive, answer)
            if limited is None:
                return  # refused (413): not counted, as the body limit is outside the metrics
            began = time.perf_counter()
            try:
                await self.app(scope, limited, answer)
            except Exception:
                await answer_unhandled(scope, limited, answer, started=status != 0)
            finally:  # counted whatever happened, a cancelled call too (500 when nothing was answered)
                self.metrics.observe_http(scope["method"], route_of(scope), status or 500, time.perf_counter() - began)
        finally:
            CURRENT_REQUEST_ID.reset(token)


def data_path_app(
    proxy: Proxy, *, metrics: ServiceMetrics, max_body_bytes: int, body_limits: Mapping[str, int]
) -> ASGIApp:
    """The proxy endpoint behind what the app's chassis middlewares do, in one layer."""
    limits = BodyLimits(max_body_bytes, body_limits)
    return DataPathGuard(proxy_endpoint(proxy), metrics=metrics, body_limit=limits)


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
