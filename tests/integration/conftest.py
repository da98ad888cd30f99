"""Fixtures of the integration tests: a producer on the real broker, a mail courier on the stack's
SMTP sink (the throwaway database `db` is the root conftest's)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer

from chassis.mail import courier
from chassis.outbox import OutboxRelay, Wakeup
from devstack.stack import Stack


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    yield producer
    await producer.stop()


SinkCourier = Callable[..., tuple[OutboxRelay, Wakeup]]


@pytest.fixture
def sink_courier(stack: Stack) -> SinkCourier:
    """`chassis.mail.courier(db, collections, **more)` sending to the test stack's SMTP sink."""
    return functools.partial(
        courier, host=stack.smtp.host, port=stack.smtp.port, sender="noreply@creditdesk.dev", timeout=5.0
    )
