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


_EXTRA_KEYS = ("event_id", "event_type", "topic", "request_id")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the active trace and span ids.

    Written field by field (each string escaped by `json`'s own encoder), with the second's
    timestamp and the escaped service and logger names kept: every access line goes through
    here, and `json.dumps` of a fresh dict with a fresh `datetime` cost a large share of a
    proxied call's CPU (ADR 0041). The line is the same as `json.dumps` of the same fields
    would write, in the same order.
    """

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name
        self._prefix = f', "service": {_quoted(service_name)}, "logger": '
        self._loggers: dict[str, str] = {}
        self._second = -1
        self._second_text = ""

    def _time(self, created: float) -> str:
        """`datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`, rounding as it
        does (to the microsecond, half to even), the second's part computed once a second."""
        second = int(created)
        micros = round((created - second) * 1e6)
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        if second != self._second:
            text = datetime.fromtimestamp(second, UTC).isoformat()  # YYYY-MM-DDTHH:MM:SS+00:00
            self._second, self._second_text = second, text[:19]
        return f"{self._second_text}.{micros // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        logger = self._loggers.get(record.name)
        if logger is None:
            logger = self._loggers[record.name] = _quoted(record.name)
        parts = [
            '{"time": "',
            self._time(record.created),
            '", "level": ',
            _quoted(record.levelname),
            self._prefix,
            logger,
            ', "message": ',
            _quoted(record.getMessage()),
        ]
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            parts.append(f', "trace_id": "{span_context.trace_id:032x}", "span_id": "{span_context.span_id:016x}"')
        fields: dict[str, Any] = {}
        request_id = CURRENT_REQUEST_ID.get()
        if request_id:
            fields["request_id"] = request_id
        for key in _EXTRA_KEYS:
            if hasattr(record, key):
                fields[key] = getattr(record, key)
        for key, value in fields.items():
            parts.append(f', "{key}": {_quoted(value) if isinstance(value, str) else json.dumps(value, default=str)}')
        if record.exc_info:
            parts.append(f', "exception": {_quoted(self.formatException(record.exc_info))}')
        parts.append("}")
        return "".join(parts)


_quoted: Any = json.encoder.encode_basestring_ascii  # json.dumps(text) of a str, without the dispatch


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
