"""Fixtures of the integration tests: a throwaway database on the real Mongo
server, and a producer on the real broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from chassis.mongo import MongoDatabase
from devstack.stack import Stack


@pytest.fixture
async def db(stack: Stack) -> AsyncIterator[MongoDatabase]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"it_{uuid.uuid4().hex[:8]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    yield producer
    await producer.stop()
