"""Prometheus metrics of a service, on a registry of its own."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.asgi import HttpMiddleware, RawHeaders, on_response_start

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    def __init__(self, service_name: str) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "http_requests_total", "HTTP requests handled", ["method", "route", "status"], registry=r
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.handler_latency = Histogram(
            "event_handler_duration_seconds",
            "Time to handle one event, retries included",
            ["event_type", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.events_handled = Counter(
            "events_handled_total",
            "Events handled by outcome (applied, duplicate, dead_lettered)",
            ["event_type", "outcome"],
            registry=r,
        )
        self.dead_letters = Counter("dead_letters_total", "Messages sent to a dead-letter topic", ["topic"], registry=r)
        self.consumer_lag = Gauge(
            "kafka_consumer_lag",
            "Messages behind the partition's end after the last handled one",
            ["topic", "partition"],
            registry=r,
        )
        # Relays: `outbox` (events to Kafka), `courier` (mail to SMTP), and any other.
        self.outbox_backlog = Gauge(
            "outbox_backlog", "Entries written but not yet delivered, at the relay's last pass", ["relay"], registry=r
        )
        self.outbox_published = Counter(
            "outbox_published_total", "Entries delivered by the relay", ["relay"], registry=r
        )
        self.outbox_failures = Counter(
            "outbox_publish_failures_total", "Failed delivery attempts", ["relay"], registry=r
        )
        self.outbox_parked = Gauge(
            "outbox_parked_entries",
            "Entries parked after repeated or permanent failures, waiting for an operator",
            ["relay"],
            registry=r,
        )
        self.outbox_parkings = Counter("outbox_parked_total", "Entries parked", ["relay"], registry=r)
        self.lease_takeovers = Counter(
            "lease_takeovers_total",
            "Claimed work taken over from a holder whose lease lapsed (it died or stalled)",
            ["collection"],
            registry=r,
        )
        self.swept = Counter(
            "sweeper_deleted_total", "Documents deleted by the sweeper, by collection", ["collection"], registry=r
        )
        self._http_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        Gauge("service_info", "Constant 1, labelled with the service", ["service"], registry=r).labels(
            service_name
        ).set(1)

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request counted and timed. The labelled children are kept: the metric's own
        lookup takes a lock and builds a tuple of strings every call."""
        key = (method, route, status)
        children = self._http_children.get(key)
        if children is None:
            children = (self.http_requests.labels(method, route, str(status)), self.http_latency.labels(method, route))
            self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


async def observe(app: ASGIApp, scope: Scope, receive: Receive, send: Send, done: Callable[[int, float], None]) -> None:
    """Run `app` for one HTTP request, then `done(status, seconds)`: the answer's status (500
    when the app failed before answering) and the time it took. The one way a per-request
    middleware (these metrics, the portal's access log) sees an answer, without buffering it."""
    started = time.perf_counter()
    status = 500

    def note_status(code: int, _headers: RawHeaders) -> None:
        nonlocal status
        status = code

    try:
        await app(scope, receive, on_response_start(send, note_status))
    finally:
        done(status, time.perf_counter() - started)


def route_of(scope: Scope) -> str:
    """The request's route template (the router records the matched route in the scope)."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


class HttpMetricsMiddleware(HttpMiddleware):
    """Counts and times every HTTP request by method, route template and status
    (pure ASGI: no response buffering, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        def record(status: int, seconds: float) -> None:
            # Label by route template, not raw path, to keep cardinality bounded;
            # the router records the matched route in the scope.
            self.metrics.observe_http(scope["method"], route_of(scope), status, seconds)

        await observe(self.app, scope, receive, send, record)


def install_http_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
