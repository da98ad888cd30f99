"""Liveness, readiness, metrics and the AsyncAPI document of a service.

`/ready` checks MongoDB and Kafka at once, each bounded by about a second
(the Mongo client's selection timeout, `READY_KAFKA_TIMEOUT_SECONDS`), and
names each dependency's state: `{"status": "not ready", "checks": {"mongo":
"down", "kafka": "up"}}` with 503 and `Retry-After` when one is down.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from chassis.errors import RETRY_AFTER_SECONDS
from chassis.kafka import kafka_reachable
from chassis.mongo import ping

READY_KAFKA_TIMEOUT_SECONDS = 1.0

router = APIRouter(tags=["operations"])


def _example(value: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"content": {"application/json": {"example": value}}}}


@router.get(
    "/health", operation_id="health", summary="Liveness: the process answers.", responses=_example({"status": "ok"})
)
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get(
    "/ready",
    operation_id="ready",
    summary="Readiness: MongoDB and Kafka are reachable.",
    responses={
        **_example({"status": "ready", "checks": {"mongo": "up", "kafka": "up"}}),
        503: {
            "description": "A dependency is unreachable",
            "content": {
                "application/json": {"example": {"status": "not ready", "checks": {"mongo": "up", "kafka": "down"}}}
            },
        },
    },
)
async def ready(request: Request) -> JSONResponse:
    """Readiness: MongoDB and Kafka are reachable."""
    runtime = request.app.state.runtime
    mongo_ok, kafka_ok = await asyncio.gather(
        ping(runtime.db), kafka_reachable(runtime.broker, timeout_seconds=READY_KAFKA_TIMEOUT_SECONDS)
    )
    checks = {"mongo": "up" if mongo_ok else "down", "kafka": "up" if kafka_ok else "down"}
    if not runtime.started:
        checks["service"] = "not started"
    ok = mongo_ok and kafka_ok and runtime.started
    if ok:
        return JSONResponse({"status": "ready", "checks": checks})
    return JSONResponse(
        {"status": "not ready", "checks": checks},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@router.get("/metrics", operation_id="metrics", summary="Prometheus metrics.", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return request.app.state.runtime.metrics.render()  # type: ignore[no-any-return]


@router.get(
    "/asyncapi.json",
    operation_id="asyncapi",
    summary="AsyncAPI document of the service's events.",
    responses=_example({"asyncapi": "3.0.0", "info": {"title": "creditdesk billing events", "version": "0.1.0"}}),
)
async def asyncapi(request: Request) -> dict[str, Any]:
    """AsyncAPI document of the events this service publishes and consumes."""
    return request.app.state.asyncapi()  # type: ignore[no-any-return]
