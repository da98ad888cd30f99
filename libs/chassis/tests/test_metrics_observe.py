"""`chassis.metrics.observe`: what a per-request middleware (the HTTP metrics, the portal's access
log) learns of an answer: its status, 500 when the app failed before answering, and its time."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from chassis.metrics import HttpMetricsMiddleware, ServiceMetrics, observe

SCOPE: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}


async def receive() -> Message:
    return {"type": "http.request", "body": b""}


async def answering(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"teapot"})


async def failing(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("broken before answering")


async def test_the_status_and_time_of_an_answer_and_every_message_passed_on() -> None:
    sent: list[Message] = []
    seen: list[tuple[int, float]] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await observe(answering, SCOPE, receive, send, lambda status, seconds: seen.append((status, seconds)))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert len(seen) == 1
    assert seen[0][0] == 418
    assert seen[0][1] >= 0


async def test_an_app_that_fails_before_answering_is_a_500_and_its_error_goes_on() -> None:
    seen: list[int] = []

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    with pytest.raises(RuntimeError):
        await observe(failing, SCOPE, receive, send, lambda status, _: seen.append(status))
    assert seen == [500]


async def test_the_http_metrics_count_by_method_route_and_status() -> None:
    metrics = ServiceMetrics("svc")

    async def send(message: Message) -> None:
        return None

    await HttpMetricsMiddleware(answering, metrics)(SCOPE, receive, send)
    labels = {"method": "GET", "route": "unmatched", "status": "418"}
    assert metrics.registry.get_sample_value("http_requests_total", labels) == 1.0
