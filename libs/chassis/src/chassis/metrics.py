"""Prometheus metrics of a service, on a registry of its own."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
        self.outbox_backlog = Gauge(
            "outbox_backlog", "Events written but not yet published, at the relay's last pass", registry=r
        )
        self.outbox_published = Counter("outbox_published_total", "Events published by the relay", registry=r)
        self.outbox_failures = Counter("outbox_publish_failures_total", "Failed publish attempts", registry=r)
        Gauge("service_info", "Constant 1, labelled with the service", ["service"], registry=r).labels(
            service_name
        ).set(1)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _route_template(request: Request) -> str:
    # Label by route template, not raw path, to keep cardinality bounded; the
    # router records the matched route in the scope.
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def install_http_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = _route_template(request)
            metrics.http_requests.labels(request.method, route, str(status)).inc()
            metrics.http_latency.labels(request.method, route).observe(time.perf_counter() - started)
