"""The outbox relay against the real Mongo server, with a publisher that fails
on demand: what is acknowledged is removed, what failed stays with its
attempts counted, and one document's events keep their order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from pymongo import AsyncMongoClient

from chassis.metrics import ServiceMetrics
from chassis.mongo import MongoDatabase
from chassis.outbox import OUTBOX_FIELD, Outbox, OutboxEntry, OutboxRelay
from contracts import RatingUpdated
from devstack.stack import Stack

pytestmark = pytest.mark.infra


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FlakyPublisher:
    """Fails chosen entries and, like Kafka's idempotent producer within a
    partition, every later entry of the same key in that batch."""

    def __init__(self) -> None:
        self.sent: list[OutboxEntry] = []
        self.fail_ids: set[str] = set()

    async def __call__(self, entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        broken_keys: set[str] = set()
        for entry in entries:
            if entry.id in self.fail_ids or entry.key in broken_keys:
                broken_keys.add(entry.key)
                results.append(ConnectionError("broker unreachable"))
            else:
                self.sent.append(entry)
                results.append(None)
        return results


@pytest.fixture
async def db(stack: Stack) -> AsyncIterator[MongoDatabase]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"relay_{uuid.uuid4().hex[:8]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


def events(n: int, company: str = "732829320") -> list[RatingUpdated]:
    return [
        RatingUpdated(company_id=company, provider="p", rating=str(i), national_score=i, credit_limit_cents=i)
        for i in range(n)
    ]


async def test_a_failed_event_and_those_after_it_stay_pending(db: MongoDatabase) -> None:
    outbox, publish = Outbox(Clock()), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, ServiceMetrics("t"))
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(3)))
    await db["things"].insert_one(outbox.new_document({"_id": "b"}, *events(1, company="552100554")))
    doc = await db["things"].find_one({"_id": "a"})
    assert doc is not None
    first, second, third = (e["id"] for e in doc[OUTBOX_FIELD])
    publish.fail_ids = {second}

    assert await relay.drain_once() == (2, 1)  # a's first and b's only event
    pending = (await db["things"].find_one({"_id": "a"}) or {})[OUTBOX_FIELD]
    assert [e["id"] for e in pending] == [second, third]
    assert pending[0]["attempts"] == 1
    assert "broker unreachable" in pending[0]["last_error"]
    assert await relay.backlog() == 2

    publish.fail_ids = set()
    assert await relay.drain_once() == (2, 0)
    # a's events went out in the order written.
    assert [e.id for e in publish.sent if e.id in {first, second, third}] == [first, second, third]
    assert await relay.backlog() == 0
    assert await db["things"].count_documents({f"{OUTBOX_FIELD}.0": {"$exists": True}}) == 0
    assert first in {e.id for e in publish.sent}


async def test_an_update_and_its_events_are_one_write(db: MongoDatabase) -> None:
    outbox = Outbox(Clock())
    await db["things"].insert_one({"_id": "c", "status": "pending"})
    update = outbox.update({"$set": {"status": "active"}}, *events(2))
    result = await db["things"].update_one({"_id": "c", "status": "pending"}, update)
    assert result.modified_count == 1
    # The same conditional update again changes nothing and adds no event.
    again = await db["things"].update_one({"_id": "c", "status": "pending"}, outbox.update({}, *events(1)))
    assert again.modified_count == 0
    doc = await db["things"].find_one({"_id": "c"})
    assert doc is not None
    assert doc["status"] == "active"
    assert len(doc[OUTBOX_FIELD]) == 2
