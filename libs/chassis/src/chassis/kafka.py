"""The service's Kafka broker (FastStream on aiokafka) and the relay's publisher."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.publisher.producer import AioKafkaFastProducerImpl
from faststream.security import BaseSecurity, SASLScram256, SASLScram512
from opentelemetry.sdk.trace import TracerProvider

from chassis.metrics import ServiceMetrics
from chassis.outbox import HeldBehind, OutboxEntry, Publish, is_transient
from chassis.settings import ServiceSettings
from chassis.topics import TopicReport, ensure_topics, service_topics
from contracts import Event

TRACE_HEADERS = ("traceparent", "tracestate")


def broker_security(settings: ServiceSettings) -> BaseSecurity | None:
    """The service's own Kafka principal (SASL/SCRAM), or None on a PLAINTEXT bus."""
    protocol = settings.kafka_security_protocol
    if not protocol.startswith("SASL_"):
        return None
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    scram = SASLScram512 if settings.kafka_sasl_mechanism == "SCRAM-SHA-512" else SASLScram256
    return scram(settings.kafka_sasl_username, password, use_ssl=protocol == "SASL_SSL")


def build_broker(settings: ServiceSettings, metrics: ServiceMetrics, tracer_provider: TracerProvider) -> KafkaBroker:
    """Idempotent producer with acks=all: a retried send is written once, and an
    acknowledged event is on every in-sync replica."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.kafka_client_id,
        security=broker_security(settings),
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=10_000,
        middlewares=[
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=metrics.registry, app_name=settings.service_name),
        ],
        logger=None,
    )


def connected_producer(broker: KafkaBroker) -> AIOKafkaProducer:
    """The broker's own aiokafka producer (acks=all, idempotence, the service's principal),
    as connected now: a restarted broker has a new one. Raises FastStream's IncorrectState
    when the broker is not connected, as `broker.publish` does."""
    fast_producer = broker.config.producer
    assert isinstance(fast_producer, AioKafkaFastProducerImpl)
    return fast_producer._producer.producer


def kafka_publisher(broker: KafkaBroker, timeout_seconds: float = 15.0) -> Publish:
    """Sends entries in order without waiting for each acknowledgement, then
    waits for all: one round trip per batch instead of one per event.

    Straight through the broker's aiokafka producer, not `broker.publish`: FastStream's
    middlewares would open a span and observe metrics for every message, several times
    the cost of the send (ADR 0042). The entry's trace context goes as the message's
    `traceparent`/`tracestate` headers (the consumer continues it from the envelope's own
    copy); the relay counts what it delivered per pass (`outbox_published_total`)."""

    async def publish(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        futures: list[asyncio.Future[object] | BaseException] = []
        failed_keys: set[str] = set()
        producer: AIOKafkaProducer | None = None
        for entry in entries:
            if entry.key in failed_keys:
                # Same aggregate as an entry that failed: keep its order, do not send.
                futures.append(HeldBehind(f"held behind a failed event of {entry.key}"))
                continue
            try:
                if producer is None:
                    producer = connected_producer(broker)
                # asyncio.timeout, not wait_for, which can swallow a cancellation on 3.11.
                async with asyncio.timeout(timeout_seconds):
                    future = await producer.send(
                        entry.topic, entry.value, key=entry.key.encode(), headers=message_headers(entry)
                    )
                futures.append(future)
            except Exception as error:
                futures.append(error)
                if is_transient(error):  # broker unreachable: the rest would fail too
                    futures.extend(error for _ in range(len(entries) - len(futures)))
                    break
                failed_keys.add(entry.key)  # this entry's own fault (too large...): the others go on
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


def message_headers(entry: OutboxEntry) -> list[tuple[str, bytes]]:
    """The message's headers: its content type and the trace context stored with the entry."""
    headers = [("content-type", b"application/json")]
    headers.extend((name, entry.headers[name].encode()) for name in TRACE_HEADERS if entry.headers.get(name))
    return headers


async def kafka_reachable(broker: KafkaBroker, timeout_seconds: float = 2.0) -> bool:
    try:
        return await broker.ping(timeout=timeout_seconds)
    except Exception:
        return False


async def ensure_service_topics(settings: ServiceSettings, publishes: Sequence[type[Event]]) -> TopicReport:
    """Create the topics this service publishes and its dead-letter topic (idempotent)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id}-admin",
        request_timeout_ms=10_000,
        **settings.kafka_client_options,
    )
    await admin.start()
    try:
        topics = service_topics(settings.service_name, publishes)
        return await ensure_topics(admin, topics, settings.topic_policy)
    finally:
        await admin.close()
