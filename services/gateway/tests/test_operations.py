"""Health, readiness, metrics, tracing, settings."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.proxy import Upstreams
from gateway.settings import GatewaySettings


def header_values(record: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in record["headers"] if key.lower() == name.lower()]


async def test_health_is_the_gateway_alone(gateway: Any) -> None:
    async with gateway(down=("identity", "billing", "recovery", "ratings", "teams")) as gw:
        response = await gw.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_every_service_is_ready(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "services": dict.fromkeys(("identity", "billing", "recovery", "ratings", "teams"), "ok"),
    }


async def test_not_ready_when_a_service_is_down_or_not_ready(gateway: Any, upstream_state: Any) -> None:
    async with gateway(down=("teams",)) as gw:
        down = await gw.client.get("/ready")
        upstream_state.ready_status = 503
        not_ready = await gw.client.get("/ready")
    assert down.status_code == 503
    assert down.json()["services"]["teams"] == "unreachable"
    assert down.json()["services"]["billing"] == "ok"
    assert not_ready.status_code == 503
    assert not_ready.json()["services"]["billing"] == "not ready (503)"


async def test_metrics_include_upstream_latency_by_service_and_status(gateway: Any) -> None:
    async with gateway(down=("teams",)) as gw:
        await gw.client.get("/api/billing/echo/m")
        await gw.client.get("/api/teams/echo/m")
        response = await gw.client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert 'upstream_request_duration_seconds_count{service="billing",status="200"} 1.0' in text
    assert 'upstream_request_duration_seconds_count{service="teams",status="unreachable"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/api/{service}/{path:path}",status="503"} 1.0' in text


async def test_traceparent_continues_the_gateway_span(gateway: Any) -> None:
    exporter = InMemorySpanExporter()
    client_trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    incoming = f"00-{client_trace_id}-00f067aa0ba902b7-01"
    async with gateway() as gw:
        gw.app.state.gateway.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        response = await gw.client.get(
            "/api/billing/echo/traced", headers={"traceparent": incoming, "tracestate": "vendor=1"}
        )

    [traceparent] = header_values(response.json(), "traceparent")
    version, trace_id, parent_id, flags = traceparent.split("-")
    assert (version, trace_id, flags) == ("00", client_trace_id, "01")
    assert parent_id != "00f067aa0ba902b7"  # the client's span is not the service's parent

    spans = exporter.get_finished_spans()
    [client_span] = [span for span in spans if span.kind == SpanKind.CLIENT]
    [server_span] = [span for span in spans if span.kind == SpanKind.SERVER]
    assert format(client_span.context.span_id, "016x") == parent_id
    assert client_span.parent is not None
    assert client_span.parent.span_id == server_span.context.span_id
    assert format(server_span.context.trace_id, "032x") == client_trace_id


async def test_traceparent_is_sent_without_an_incoming_one(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/traced")
    [traceparent] = header_values(response.json(), "traceparent")
    assert len(traceparent.split("-")) == 4


def test_settings_come_from_gateway_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_IDENTITY_URL", "http://identity:8001/")
    monkeypatch.setenv("GATEWAY_HTTP_PORT", "9000")
    monkeypatch.setenv("GATEWAY_JWKS_URL", "http://identity:8001/.well-known/jwks.json")
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_BURST", "5")
    settings = GatewaySettings()
    assert settings.identity_url == "http://identity:8001"
    assert settings.http_port == 9000
    assert settings.jwks_url == "http://identity:8001/.well-known/jwks.json"
    assert settings.rate_limit_burst == 5
    assert settings.service_urls["billing"] == "http://127.0.0.1:8002"


def test_service_urls_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        GatewaySettings(billing_url="billing:8002")


async def test_services_metrics_are_never_forwarded_and_the_gateways_can_need_a_token(gateway: Any) -> None:
    async with gateway(metrics_token="prometheus-token-3f9c") as gw:
        for path in ("/api/billing/metrics", "/api/billing/metrics/", "/api/teams/%6Detrics", "/api/billing//METRICS"):
            answer = await gw.client.get(path)
            assert answer.status_code == 404, path
            assert answer.json()["title"] == "Not Found"
        assert (await gw.client.get("/api/billing/echo/metrics")).status_code == 200  # only the service's own route
        refused = await gw.client.get("/metrics")
        assert refused.status_code == 401
        assert (await gw.client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        allowed = await gw.client.get("/metrics", headers={"Authorization": "Bearer prometheus-token-3f9c"})
        assert allowed.status_code == 200
        assert "http_requests_total" in allowed.text


async def test_bodies_above_the_limit_get_413_and_every_answer_says_nosniff(gateway: Any) -> None:
    async with gateway(max_body_bytes=4096) as gw:
        too_big = await gw.client.post("/api/billing/echo/x", content=b"x" * 5000)
        assert too_big.status_code == 413
        assert too_big.json()["title"] == "Content Too Large"
        assert too_big.headers["x-content-type-options"] == "nosniff"
        assert "x-request-id" in too_big.headers

        async def chunks() -> Any:
            for _ in range(5):
                yield b"x" * 1000

        assert (await gw.client.post("/api/billing/echo/x", content=chunks())).status_code == 413
        fine = await gw.client.post("/api/billing/echo/x", content=b"x" * 4000)
        assert fine.status_code == 200
        assert fine.headers["x-content-type-options"] == "nosniff"
        assert (await gw.client.get("/health")).headers["x-content-type-options"] == "nosniff"


async def test_an_unexpected_error_on_the_data_path_is_one_500_problem_logged_once(
    gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    class Kept(logging.Handler):
        records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    monkeypatch.setattr(Upstreams, "forward", broken)
    kept = Kept()
    async with gateway() as gw:  # the app's logging set up: a handler of our own, beside its own
        logging.getLogger().addHandler(kept)
        try:
            response = await gw.client.get("/api/billing/echo/x", headers={"x-request-id": "bug-1"})
        finally:
            logging.getLogger().removeHandler(kept)
        metrics = (await gw.client.get("/metrics")).text
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers.get_list("x-request-id") == ["bug-1"]
    assert [r.getMessage() for r in kept.records if r.exc_info] == ["unhandled error on GET /api/billing/echo/x"]
    assert 'http_requests_total{method="GET",route="/api/{service}/{path:path}",status="500"} 1.0' in metrics
