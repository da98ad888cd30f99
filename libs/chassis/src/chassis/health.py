"""Liveness, readiness, metrics and the AsyncAPI document of a service."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from chassis.kafka import kafka_reachable
from chassis.mongo import ping

router = APIRouter(tags=["operations"])


@router.get("/health", operation_id="health", summary="Liveness: the process answers.")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get(
    "/ready",
    operation_id="ready",
    summary="Readiness: MongoDB and Kafka are reachable.",
    responses={503: {"description": "A dependency is unreachable"}},
)
async def ready(request: Request) -> JSONResponse:
    """Readiness: MongoDB and Kafka are reachable."""
    runtime = request.app.state.runtime
    mongo_ok, kafka_ok = await asyncio.gather(ping(runtime.db), kafka_reachable(runtime.broker))
    checks = {"mongo": "ok" if mongo_ok else "unreachable", "kafka": "ok" if kafka_ok else "unreachable"}
    ok = mongo_ok and kafka_ok and runtime.started
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", operation_id="metrics", summary="Prometheus metrics.", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return request.app.state.runtime.metrics.render()  # type: ignore[no-any-return]


@router.get("/asyncapi.json", operation_id="asyncapi", summary="AsyncAPI document of the service's events.")
async def asyncapi(request: Request) -> dict[str, Any]:
    """AsyncAPI document of the events this service publishes and consumes."""
    return request.app.state.asyncapi()  # type: ignore[no-any-return]
