"""The gateway app: auth check, rate limit and routing of `/api/<service>/...`, one OpenAPI.

Started with `uvicorn --factory gateway.app:create_app`. Owns no data and no
business rule: services verify tokens again and decide which routes are public.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Histogram

from chassis.auth import Caller, JwksVerifier, bearer_token
from chassis.clientaddress import Network
from chassis.errors import NotFound, Problem, Unauthorized, install_problem_handlers
from chassis.httpguard import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from chassis.metrics import LATENCY_BUCKETS, ServiceMetrics, install_http_metrics
from chassis.requestid import RequestIdMiddleware, request_id_of
from chassis.revocation import RevocationFeed, RevocationList
from chassis.telemetry import build_tracer_provider, configure_logging
from gateway.datapath import GatewayApp, data_path_app
from gateway.openapi import Document, OpenApiAggregator, check_document, merge_documents
from gateway.proxy import UpstreamError, Upstreams, UpstreamTimeout, client_ip
from gateway.ratelimit import TokenBucketLimiter, retry_after_header
from gateway.settings import SERVICES, GatewaySettings

log = logging.getLogger("gateway")

TITLE = "creditdesk API"
DESCRIPTION = (
    "Every creditdesk service behind one gateway: `/api/<service>/...` is forwarded to the service "
    f"({', '.join(SERVICES)}). Send `Authorization: Bearer <token>` from identity; the gateway checks it "
    "and each service checks it again."
)
PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A service's routes that are for the internal network only (Prometheus scrapes
# each service directly): never forwarded, whatever the spelling of the path.
INTERNAL_PATHS = frozenset({"metrics"})


def internal_path(path: str) -> bool:
    """Whether `/api/<service>/<path>` names one of `INTERNAL_PATHS` (path already percent-decoded)."""
    return path.strip("/").lower() in INTERNAL_PATHS


@dataclass
class GatewayRuntime:
    """What the routes use; the HTTP clients exist between start and shutdown only."""

    settings: GatewaySettings
    metrics: ServiceMetrics
    upstream_latency: Histogram
    tracer_provider: TracerProvider
    limiter: TokenBucketLimiter
    revocations: RevocationList
    trusted_proxies: tuple[Network, ...] = ()
    upstreams: Upstreams | None = None
    verifier: JwksVerifier | None = None
    openapi: OpenApiAggregator | None = None

    def started(self) -> tuple[Upstreams, JwksVerifier, OpenApiAggregator]:
        if self.upstreams is None or self.verifier is None or self.openapi is None:
            raise Problem("the gateway is starting or stopping", status=503)
        return self.upstreams, self.verifier, self.openapi


def get_runtime(request: Request) -> GatewayRuntime:
    runtime = request.app.state.gateway
    assert isinstance(runtime, GatewayRuntime)
    return runtime


def enforce_rate_limit(runtime: GatewayRuntime, key: str) -> None:
    wait = runtime.limiter.acquire(key)
    if wait > 0:
        raise Problem(
            "too many requests; slow down and retry after the delay in Retry-After",
            status=429,
            code="rate-limited",
            headers={"Retry-After": retry_after_header(wait)},
        )


async def limit_by_ip(request: Request) -> None:
    """Rate limit for the gateway's own routes, keyed by client address."""
    runtime = get_runtime(request)
    ip = client_ip(request, runtime.trusted_proxies)
    enforce_rate_limit(runtime, "ip:" + ip)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, settings.log_level)
    metrics = ServiceMetrics(settings.service_name)
    upstream_latency = Histogram(
        "upstream_request_duration_seconds",
        "Time from forwarding a request to a service until its response headers (or the failure)",
        ["service", "status"],
        buckets=LATENCY_BUCKETS,
        registry=metrics.registry,
    )
    runtime = GatewayRuntime(
        settings=settings,
        metrics=metrics,
        upstream_latency=upstream_latency,
        tracer_provider=build_tracer_provider(settings.service_name, settings.otel_exporter_otlp_endpoint),
        limiter=TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
        revocations=RevocationList(timedelta(seconds=settings.revocation_window_seconds)),
        trusted_proxies=settings.proxy_networks,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upstreams = Upstreams(
            settings, latency=upstream_latency, tracer=runtime.tracer_provider.get_tracer("gateway.proxy")
        )

        async def fetch_openapi(service: str) -> Document:
            response = await upstreams.get(service, "/openapi.json")
            response.raise_for_status()
            return check_document(response.json())

        verifier = JwksVerifier(
            settings.jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            failure_cache_seconds=settings.jwks_failure_cache_seconds,
            http=httpx.AsyncClient(
                timeout=httpx.Timeout(
                    settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
                ),
                trust_env=False,
            ),
            revocations=runtime.revocations,
        )
        feed = RevocationFeed(
            runtime.revocations,
            settings.kafka_bootstrap_servers,
            client_id=settings.kafka_client_id,
            **settings.kafka_client_options,
        )
        feed_task = asyncio.create_task(feed.run(), name="revocation-feed")
        runtime.upstreams, runtime.verifier = upstreams, verifier
        runtime.openapi = OpenApiAggregator(fetch_openapi, SERVICES, ttl=settings.openapi_cache_seconds)
        log.info("gateway started; services: %s", settings.service_urls)
        try:
            yield
        finally:
            runtime.upstreams = runtime.verifier = runtime.openapi = None
            feed.stop()
            _, late = await asyncio.wait([feed_task], timeout=5)
            for task in late:  # stuck connecting to a broker that is away
                task.cancel()
            await asyncio.gather(feed_task, return_exceptions=True)
            await upstreams.aclose()
            await verifier.aclose()
            runtime.tracer_provider.shutdown()

    app = GatewayApp(
        title=TITLE,
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        # Served by the routes below: the merged document, and a UI pointing at it.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[{"name": "gateway", "description": "The gateway's own operations."}],
    )
    app.state.gateway = runtime
    install_problem_handlers(app)
    install_http_metrics(app, metrics)
    # Last added runs first: security headers on everything, the request id on a 413 too.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, per_path=settings.body_limits())
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get(
        "/health",
        operation_id="health",
        tags=["gateway"],
        summary="Liveness: the gateway answers.",
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        operation_id="ready",
        tags=["gateway"],
        summary="Readiness: every service answers 200 on its /ready.",
        responses={
            200: {"content": {"application/json": {"example": {"status": "ready", "services": {"billing": "ready"}}}}},
            503: {
                "description": "A service is not ready; per-service status in `services`",
                "content": {"application/json": {"example": {"status": "not ready", "services": {"billing": "down"}}}},
            },
        },
        dependencies=[Depends(limit_by_ip)],
    )
    async def ready(request: Request) -> JSONResponse:
        upstreams, _, _ = get_runtime(request).started()

        async def probe(service: str) -> str:
            try:
                response = await upstreams.get(service, "/ready", within=settings.ready_timeout_seconds)
            except UpstreamTimeout:
                return "timeout"
            except UpstreamError:
                return "unreachable"
            return "ok" if response.status_code == 200 else f"not ready ({response.status_code})"

        statuses = await asyncio.gather(*(probe(service) for service in SERVICES))
        services = dict(zip(SERVICES, statuses, strict=True))
        ok = all(status == "ok" for status in statuses)
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "services": services}, status_code=200 if ok else 503
        )

    @app.get(
        "/metrics",
        operation_id="metrics",
        tags=["gateway"],
        summary="Prometheus metrics (with GATEWAY_METRICS_TOKEN set: for that bearer token only).",
        response_class=Response,
        responses={
            401: {
                "description": "GATEWAY_METRICS_TOKEN is set and the request lacks it",
                "content": {
                    "application/problem+json": {
                        "example": {
                            "type": "https://creditdesk.dev/problems/metrics-token",
                            "title": "Unauthorized",
                            "status": 401,
                            "detail": "the gateway's metrics are for Prometheus only",
                        }
                    }
                },
            }
        },
    )
    async def metrics_route(request: Request) -> Response:
        expected = settings.metrics_token
        if expected is not None:
            given = bearer_token(request) or ""
            if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
                raise Unauthorized("the gateway's metrics are for Prometheus only", code="metrics-token")
        return metrics.render()

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        _, _, aggregator = get_runtime(request).started()
        return JSONResponse(merge_documents(app.openapi(), await aggregator.documents()))

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(limit_by_ip)])
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{TITLE} - Swagger UI")

    tracer = runtime.tracer_provider.get_tracer("gateway")

    async def proxy(service: str, request: Request) -> Response:
        gateway = get_runtime(request)
        upstreams, verifier, _ = gateway.started()
        upstreams.require(service)  # 404 before anything else for an unknown service
        if internal_path(str(request.path_params.get("path", ""))):
            raise NotFound(f"no route {request.url.path} behind the gateway", code="not-found")
        ip_key = "ip:" + client_ip(request, gateway.trusted_proxies)
        token = bearer_token(request)
        caller: Caller | None = None
        if token is not None:
            try:
                caller = await verifier.verify(token)
            except Unauthorized:
                # Failed attempts spend the address's tokens: no unlimited token guessing.
                enforce_rate_limit(gateway, ip_key)
                raise
        enforce_rate_limit(gateway, "caller:" + caller.account_id if caller is not None else ip_key)
        # The server span of the call, continuing the client's trace context if it sent one; the
        # forward's client span is its child and is what the service continues. (Made here rather
        # than by the ASGI instrumentation, whose URL parsing cost a sixth of the gateway's CPU.)
        with tracer.start_as_current_span(
            f"{request.method} /api/{service}",
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "http.route": "/api/{service}/{path}"},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await upstreams.forward(request, service, caller=caller, request_id=request_id_of(request))
            except Problem as problem:
                span.set_attribute("http.response.status_code", problem.status)
                if problem.status >= 500:
                    span.set_status(Status(StatusCode.ERROR, problem.code or ""))
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    # `/api/<service>` alone is the service's root, as `/api/<service>/` is. The router's routes
    # name the calls (metrics, url_path_for); the data path serves them (gateway.datapath).
    for route in ("/api/{service}/{path:path}", "/api/{service}"):
        app.add_api_route(route, proxy, methods=PROXY_METHODS, include_in_schema=False, name="proxy")
    with_path, bare = app.routes[-2:]
    data_path = data_path_app(
        proxy, metrics=metrics, max_body_bytes=settings.max_body_bytes, body_limits=settings.body_limits()
    )
    app.serve_data_path(data_path, PROXY_METHODS, with_path, bare)
    return app
