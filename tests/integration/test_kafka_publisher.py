"""The relay's Kafka publisher on the real broker: an entry refused for its
own sake (too large) fails alone; the later entries of its key are held back
(order), every other key goes on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider

from chassis.kafka import build_broker, kafka_publisher
from chassis.metrics import ServiceMetrics
from chassis.outbox import HeldBehind, OutboxEntry, is_transient
from chassis.settings import ServiceSettings
from contracts import Envelope, RatingUpdated
from devstack.stack import Stack

pytestmark = pytest.mark.infra


@pytest.fixture
async def broker(stack: Stack) -> AsyncIterator[KafkaBroker]:
    settings = ServiceSettings(
        service_name=f"publisher-{uuid.uuid4().hex[:8]}", kafka_bootstrap_servers=stack.bootstrap_servers
    )
    broker = build_broker(settings, ServiceMetrics(settings.service_name), TracerProvider())
    await broker.start()
    yield broker
    await broker.stop()


def entry(company: str, value: bytes | None = None) -> OutboxEntry:
    event = RatingUpdated(company_id=company, provider="p", rating="A", national_score=1, credit_limit_cents=1)
    envelope = Envelope.wrap(event, occurred_at=datetime.now(UTC))
    return OutboxEntry(
        id=str(envelope.event_id),
        topic=RatingUpdated.topic,
        key=company,
        value=value or envelope.to_bytes(),
        headers={},
    )


async def test_an_entry_too_large_fails_alone_and_holds_back_only_its_key(broker: KafkaBroker) -> None:
    a, b = f"{uuid.uuid4().int % 10**9:09d}", f"{uuid.uuid4().int % 10**9:09d}"
    too_large = entry(a, b"x" * 2_000_000)
    results = await kafka_publisher(broker)([too_large, entry(b), entry(a), entry(b)])
    refused, other, behind, other_again = results
    assert refused is not None
    assert not is_transient(refused)  # its own fault: counts towards parking
    assert (other, other_again) == (None, None)  # another aggregate: published
    assert isinstance(behind, HeldBehind)
    assert is_transient(behind)  # not its fault: never parked for it


async def test_a_published_entry_carries_its_trace_context_as_message_headers(
    broker: KafkaBroker, stack: Stack
) -> None:
    company = f"{uuid.uuid4().int % 10**9:09d}"
    traceparent = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"
    traced = replace(entry(company), headers={"traceparent": traceparent, "tracestate": "vendor=1"})
    assert await kafka_publisher(broker)([traced]) == [None]
    consumer = AIOKafkaConsumer(
        RatingUpdated.topic,
        bootstrap_servers=stack.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while not found and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            found.extend(r for records in batch.values() for r in records if r.key == company.encode())
    finally:
        await consumer.stop()
    [record] = found
    assert record.value == traced.value
    assert dict(record.headers) == {
        "content-type": b"application/json",
        "traceparent": traceparent.encode(),
        "tracestate": b"vendor=1",
    }
