"""Tracing (OpenTelemetry, W3C trace context) and JSON logs carrying trace ids."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from chassis.redaction import RedactingFilter
from chassis.requestid import CURRENT_REQUEST_ID
from contracts import TraceContext

# Operational endpoints are not traced. OpenTelemetry searches these regexes in
# the full URL, hence the anchors: /orders/ready must still be traced.
UNTRACED_URLS = r"^[a-z]+://[^/]+/(health|ready|metrics)/?$"


def build_tracer_provider(service_name: str, otlp_endpoint: str | None) -> TracerProvider:
    """A provider per service; spans go to an OTLP collector when one is set.

    Without an endpoint spans are still created (ids flow into logs and message
    headers) but not exported.
    """
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def current_trace_context() -> TraceContext | None:
    """The active span's context, to store with an event in the outbox."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if "traceparent" not in carrier:
        return None
    return TraceContext(traceparent=carrier["traceparent"], tracestate=carrier.get("tracestate"))


def trace_headers(trace_context: TraceContext | None) -> dict[str, str]:
    if trace_context is None:
        return {}
    headers = {"traceparent": trace_context.traceparent}
    if trace_context.tracestate:
        headers["tracestate"] = trace_context.tracestate
    return headers


def context_from_headers(headers: dict[str, str]) -> otel_context.Context:
    return propagate.extract(headers)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the active trace and span ids."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        request_id = CURRENT_REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for key in ("event_id", "event_type", "topic", "request_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service_name: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter(service_name))
    handler.addFilter(RedactingFilter())  # no token from a URL in any line, access logs included
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "pymongo", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # uvicorn installs its own handlers; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
