"""Fixtures of the integration tests: a producer on the real broker (the throwaway database `db`
is the root conftest's)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer

from devstack.stack import Stack


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    yield producer
    await producer.stop()
