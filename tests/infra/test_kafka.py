"""Real Kafka broker: round trip, and data surviving a stop/start (fault tests do this)."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack import Stack
from devstack.kafka import metadata_brokers, new_cluster_id
from devstack.processes import port_open

pytestmark = pytest.mark.infra


async def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def _consume_one(bootstrap: str, topic: str) -> bytes:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"g-{uuid.uuid4().hex}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15_000, max_records=1)
        records = [r for rs in batch.values() for r in rs]
        assert records, f"nothing consumed from {topic}"
        assert records[0].value is not None
        return records[0].value
    finally:
        await consumer.stop()


async def test_produce_consume_round_trip(stack: Stack) -> None:
    topic = f"devstack-rt-{uuid.uuid4().hex[:8]}"
    await _produce(stack.bootstrap_servers, topic, b"hello")
    assert await _consume_one(stack.bootstrap_servers, topic) == b"hello"


async def test_message_survives_broker_restart(stack: Stack) -> None:
    topic = f"devstack-restart-{uuid.uuid4().hex[:8]}"
    await _produce(stack.bootstrap_servers, topic, b"before-stop")

    assert await stack.kafka.stop_async()
    assert not stack.kafka.is_running()
    assert not port_open(stack.kafka.host, stack.kafka.port)

    assert await stack.kafka.up_async()  # True: it really started again
    assert await _consume_one(stack.bootstrap_servers, topic) == b"before-stop"


def test_readiness_probe_is_a_real_metadata_answer(stack: Stack) -> None:
    assert metadata_brokers(stack.kafka.host, stack.kafka.port) == [1]


def test_cluster_id_looks_like_kafkas() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
