"""Event throughput: the platform's path (state write with its event in the
outbox -> relay -> Kafka -> idempotent consumer -> effect in Mongo) against raw
aiokafka produce+consume on the same broker, in one run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient, InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from chassis.consumer import EventConsumer
from chassis.mongo import insert_new
from chassis.service import Runtime, ServiceDefinition, create_service_app
from chassis.settings import ServiceSettings
from chassis.topics import TopicPolicy, ensure_topics
from contracts import Envelope, RatingUpdated
from devstack.stack import Stack


async def _new_topic(stack: Stack, topic: str) -> None:
    """Topics are made as code, not on first use (ADR 0011): the bench's own topic too."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        await ensure_topics(admin, [topic], TopicPolicy())
    finally:
        await admin.close()


async def bench_raw(stack: Stack, events: int, payload: bytes) -> dict[str, Any]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    await _new_topic(stack, topic)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")  # connections and metadata ready
    await consumer.start()
    received = 0
    try:
        began = time.perf_counter()
        futures = [await producer.send(topic, payload, key=str(i % 64).encode()) for i in range(events)]
        await asyncio.gather(*futures)
        produced = time.perf_counter() - began
        while received < events + 1:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                received += len(records)
            await consumer.commit()
        elapsed = time.perf_counter() - began
    finally:
        await consumer.stop()
        await producer.stop()
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_second": round(events / elapsed, 1),
        "produce_seconds": round(produced, 3),
    }


async def bench_floor(stack: Stack, events: int, payload: bytes, writers: int = 16) -> dict[str, Any]:
    """The floor of the event path: the same durable steps as the platform's, written by hand with the
    same libraries and the best batching found, none of the platform's generality.

    Each state change is one insert carrying its event (flagged pending, indexed); a relay woken by the
    writers takes every pending document at once, publishes their events with acks=all and idempotence
    (all sends in flight, then awaited), and clears them in one bulk write; the consumer takes batches of
    up to 500 records, records their event ids (a unique inbox: a replay is a no-op) and their effects
    in two bulk writes, and commits the offsets after.
    """
    run = uuid.uuid4().hex[:8]
    topic = f"bench.floor.{run}"
    await _new_topic(stack, topic)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[f"bench_floor_{run}"]
    docs, inbox, effects = db["docs"], db["inbox"], db["effects"]
    await docs.create_index("pending", sparse=True)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
    )
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")  # connections and metadata ready
    await consumer.start()
    wakeup, written_all = asyncio.Event(), asyncio.Event()
    applied = 0

    async def relay() -> None:
        while True:
            await wakeup.wait()
            wakeup.clear()
            pending = [doc async for doc in docs.find({"pending": True}, {"event": 1})]
            if not pending:
                if written_all.is_set():
                    return
                continue
            sent = [await producer.send(topic, doc["event"]["value"], key=doc["_id"].encode()) for doc in pending]
            await asyncio.gather(*sent)
            await docs.bulk_write(
                [UpdateOne({"_id": doc["_id"]}, {"$unset": {"pending": "", "event": ""}}) for doc in pending],
                ordered=False,
            )
            wakeup.set()  # more may have come meanwhile

    async def consume() -> None:
        nonlocal applied
        while applied < events:
            batch = [r for records in (await consumer.getmany(timeout_ms=1000)).values() for r in records]
            mine = [r for r in batch if r.value != b"warm-up"]
            if mine:
                ids = [f"{r.topic}:{r.partition}:{r.offset}" for r in mine]
                with contextlib.suppress(BulkWriteError):  # replayed records: recorded already, no new effect
                    await inbox.insert_many([{"_id": i} for i in ids], ordered=False)
                    await effects.bulk_write(
                        [InsertOne({"_id": i, "key": r.key}) for i, r in zip(ids, mine, strict=True)], ordered=False
                    )
                applied += len(mine)
            if batch:
                await consumer.commit()

    keys = iter(range(events))

    async def writer() -> None:
        for n in keys:
            await docs.insert_one(
                {"_id": f"{run}:{n:09d}", "state": "rated", "pending": True, "event": {"value": payload}}
            )
            wakeup.set()

    try:
        began = time.perf_counter()
        relaying, consuming = asyncio.create_task(relay()), asyncio.create_task(consume())
        await asyncio.gather(*(writer() for _ in range(writers)))
        written = time.perf_counter() - began
        written_all.set()
        wakeup.set()
        await asyncio.wait_for(asyncio.gather(relaying, consuming), timeout=600)
        elapsed = time.perf_counter() - began
    finally:
        await consumer.stop()
        await producer.stop()
        await client.drop_database(db.name)
        await client.close()
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_second": round(events / elapsed, 1),
        "write_seconds": round(written, 3),
        "writers": writers,
    }


class OutboxPath:
    def __init__(self, run: str) -> None:
        self.run = run
        self.applied = 0
        self.done = asyncio.Event()
        self.expected = 0
        self.runtime: Runtime | None = None

    def subscribe(self, consumer: EventConsumer, runtime: Runtime) -> None:
        self.runtime = runtime

        @consumer.on_batch(RatingUpdated)
        async def apply(batch: Sequence[tuple[RatingUpdated, Envelope]]) -> None:
            # Events of earlier runs and tests on the same topic are left alone.
            mine = [envelope for event, envelope in batch if event.provider == self.run]
            if not mine:
                return
            # One write for the batch's effects, idempotent per event id (a replay adds nothing).
            await insert_new(
                runtime.db["bench_effects"],
                [{"_id": str(envelope.event_id), "key": envelope.subject} for envelope in mine],
            )
            self.applied += len(mine)
            if self.applied >= self.expected:
                self.done.set()


async def bench_outbox(stack: Stack, events: int, writers: int = 16) -> dict[str, Any]:
    run = f"bench-{uuid.uuid4().hex[:8]}"
    path = OutboxPath(run)
    settings = ServiceSettings(
        service_name=run,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        log_level="WARNING",
        # A loaded machine answers slower than a service's fail-fast second: a heartbeat missing it
        # resets the pool and cancels the writes in flight, which is not what is measured here.
        mongo_timeout_ms=10_000,
        mongo_socket_timeout_ms=60_000,
    )
    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title=run,
            description="benchmark",
            outbox_collections=["bench_docs"],
            subscribe=path.subscribe,
        )
    )
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        runtime = path.runtime
        assert runtime is not None
        # Let the new group read past what earlier runs left on the topic.
        handled = runtime.metrics.events_handled
        previous = -1.0
        while True:
            await asyncio.sleep(1.5)
            current = sum(m.value for metric in handled.collect() for m in metric.samples if m.name.endswith("_total"))
            if current == previous:
                break
            previous = current
        path.expected = events
        docs = runtime.db["bench_docs"]
        companies = [f"{n:09d}" for n in range(events)]
        queue = iter(companies)

        async def writer() -> None:
            for company in queue:
                event = RatingUpdated(
                    company_id=company, provider=run, rating="B", national_score=50, credit_limit_cents=100_000
                )
                await docs.insert_one(runtime.outbox.new_document({"_id": f"{run}:{company}"}, event))
                runtime.outbox.notify()

        began = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(writers)))
        written = time.perf_counter() - began
        await asyncio.wait_for(path.done.wait(), timeout=600)
        elapsed = time.perf_counter() - began
        await docs.delete_many({"_id": {"$regex": f"^{run}:"}})
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_second": round(events / elapsed, 1),
        "write_seconds": round(written, 3),
        "writers": writers,
    }


async def bench_bus(stack: Stack, events: int = 2000) -> dict[str, Any]:
    sample = Envelope.wrap(
        RatingUpdated(
            company_id="732829320", provider="bench", rating="B", national_score=50, credit_limit_cents=100_000
        ),
        occurred_at=datetime.now(UTC),
    ).to_bytes()
    raw = await bench_raw(stack, events, sample)
    floor = await bench_floor(stack, events, sample)
    outbox = await bench_outbox(stack, events)
    return {
        "events": events,
        "message_bytes": len(sample),
        "raw_aiokafka": raw,
        "hand_written_floor": floor,
        "outbox_to_consumer": outbox,
        "outbox_to_raw_throughput_ratio": round(outbox["events_per_second"] / raw["events_per_second"], 3),
        "floor_to_raw_throughput_ratio": round(floor["events_per_second"] / raw["events_per_second"], 3),
        "outbox_to_floor_throughput_ratio": round(outbox["events_per_second"] / floor["events_per_second"], 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
