"""The service's Kafka broker (FastStream on aiokafka) and the relay's publisher."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider

from chassis.metrics import ServiceMetrics
from chassis.outbox import HeldBehind, OutboxEntry, Publish, is_transient
from chassis.settings import ServiceSettings
from chassis.telemetry import context_from_headers


def build_broker(settings: ServiceSettings, metrics: ServiceMetrics, tracer_provider: TracerProvider) -> KafkaBroker:
    """Idempotent producer with acks=all: a retried send is written once, and an
    acknowledged event is on every in-sync replica."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.kafka_client_id,
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=10_000,
        middlewares=[
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=metrics.registry, app_name=settings.service_name),
        ],
        logger=None,
    )


def kafka_publisher(broker: KafkaBroker, timeout_seconds: float = 15.0) -> Publish:
    """Sends entries in order without waiting for each acknowledgement, then
    waits for all: one round trip per batch instead of one per event."""

    async def publish(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        futures: list[asyncio.Future[object] | BaseException] = []
        failed_keys: set[str] = set()
        for entry in entries:
            if entry.key in failed_keys:
                # Same aggregate as an entry that failed: keep its order, do not send.
                futures.append(HeldBehind(f"held behind a failed event of {entry.key}"))
                continue
            # Continue the trace of the request that caused the event.
            token = otel_context.attach(context_from_headers(dict(entry.headers)))
            try:
                # asyncio.timeout, not wait_for, which can swallow a cancellation on 3.11.
                async with asyncio.timeout(timeout_seconds):
                    future = await broker.publish(
                        entry.value,
                        topic=entry.topic,
                        key=entry.key.encode(),
                        headers={"content-type": "application/json"},
                        no_confirm=True,
                    )
                futures.append(future)
            except Exception as error:
                futures.append(error)
                if is_transient(error):  # broker unreachable: the rest would fail too
                    futures.extend(error for _ in range(len(entries) - len(futures)))
                    break
                failed_keys.add(entry.key)  # this entry's own fault (too large...): the others go on
            finally:
                otel_context.detach(token)
        results: list[BaseException | None] = []
        for item in futures:
            if isinstance(item, BaseException):
                results.append(item)
                continue
            try:
                async with asyncio.timeout(timeout_seconds):
                    await item
                results.append(None)
            except Exception as error:
                results.append(error)
        return results

    return publish


async def kafka_reachable(broker: KafkaBroker, timeout_seconds: float = 2.0) -> bool:
    try:
        return await broker.ping(timeout=timeout_seconds)
    except Exception:
        return False
