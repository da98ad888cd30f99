"""Event throughput: the platform's path (state write with its event in the
outbox -> relay -> Kafka -> idempotent consumer -> effect in Mongo) against the
floor, the same durable steps written by hand, and both against raw aiokafka
produce+consume on the same broker, in one run.

The three run side by side for the whole run and take turns in slices (platform,
floor, raw, then floor, platform, raw, ...): on a shared machine the load
changes within seconds, so each side's rate is its events over its summed
slice times. Every command the platform and the floor send to Mongo is counted
(a PyMongo command listener, per database), so a reader sees that both do the
same durable work."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import BulkWriteError

from chassis.consumer import EventConsumer
from chassis.mongo import insert_new
from chassis.service import Runtime, ServiceDefinition, create_service_app
from chassis.settings import ServiceSettings
from chassis.topics import TopicPolicy, ensure_topics
from contracts import Envelope, RatingUpdated
from devstack.stack import Stack

WRITERS = 16  # concurrent writers of state changes, each side
BATCH = 500  # records a consumer takes at once, each side
WRITES = frozenset({"insert", "update", "delete", "findAndModify"})


class MongoCommands(monitoring.CommandListener):
    """Counts the commands each database is sent, by name (a bulk write of many updates is one)."""

    def __init__(self) -> None:
        self.by_database: dict[str, Counter[str]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        name = f"{event.command_name} {target}" if isinstance(target, str) else event.command_name
        self.by_database.setdefault(event.database_name, Counter())[name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def snapshot(self, database: str) -> Counter[str]:
        return Counter(self.by_database.get(database, Counter()))


def rating(company: str, tag: str) -> RatingUpdated:
    return RatingUpdated(company_id=company, provider=tag, rating="B", national_score=50, credit_limit_cents=100_000)


async def _new_topic(stack: Stack, topic: str) -> None:
    """Topics are made as code, not on first use (ADR 0011): the bench's own topic too."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        await ensure_topics(admin, [topic], TopicPolicy())
    finally:
        await admin.close()


def _producer(stack: Stack) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", enable_idempotence=True)


def _consumer(stack: Stack, topic: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=BATCH,
    )


async def _started(producer: AIOKafkaProducer, consumer: AIOKafkaConsumer, topic: str) -> None:
    """Connections, metadata and the group's assignment ready before anything is timed."""
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")
    await consumer.start()
    while not any(r.value == b"warm-up" for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs):
        pass
    await consumer.commit()


class Side(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def database(self) -> str | None:
        """The database whose commands are this side's (None: no Mongo)."""
        ...

    async def slice(self, events: int) -> float:
        """Writes `events` state changes and waits until each one's effect is recorded: seconds."""
        ...


@dataclass
class Raw:
    """Raw aiokafka: the same bytes produced (acks=all, idempotent) and consumed, offsets committed;
    no durable work at all."""

    stack: Stack
    name: str = "raw"
    database: str | None = None
    payload: bytes = b""
    topic: str = field(default_factory=lambda: f"bench.raw.{uuid.uuid4().hex[:8]}")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Raw]:
        await _new_topic(self.stack, self.topic)
        self.payload = Envelope.wrap(rating("732829320", "bench"), occurred_at=datetime.now(UTC)).to_bytes()
        self._producer, self._consumer = _producer(self.stack), _consumer(self.stack, self.topic)
        try:
            await _started(self._producer, self._consumer, self.topic)
            yield self
        finally:
            await self._consumer.stop()
            await self._producer.stop()

    async def slice(self, events: int) -> float:
        began = time.perf_counter()
        futures = [await self._producer.send(self.topic, self.payload, key=str(i % 64).encode()) for i in range(events)]
        await asyncio.gather(*futures)
        received = 0
        while received < events:
            for records in (await self._consumer.getmany(timeout_ms=1000)).values():
                received += len(records)
            await self._consumer.commit()
        return time.perf_counter() - began


@dataclass
class Floor:
    """The floor of the event path: the same durable steps as the platform's, by hand with the same
    libraries and the best batching found, none of the platform's generality.

    A state change is one insert carrying its event (an envelope built per event, as the platform
    does) and a pending marker (a fresh value, sparse unique index: the one kind of index the local
    Mongo-wire server maintains). A relay woken by the writers takes every pending document through
    that index, sends all their events (acks=all, idempotent) before awaiting them, and clears them
    in one write. The consumer takes up to 500 records at once, parses each envelope for its event
    id, writes the effects (keyed by event id: a replay adds nothing) and then the event ids (its
    inbox) in one unordered insert each, effect first as the platform does (a crash in between
    re-applies, never loses), and commits the offsets after.
    """

    stack: Stack
    name: str = "floor"
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def database(self) -> str:
        return f"bench_floor_{self.run}"

    @property
    def topic(self) -> str:
        return f"bench.floor.{self.run}"

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Floor]:
        await _new_topic(self.stack, self.topic)
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.stack.mongo_url, tz_aware=True)
        db = client[self.database]
        self._docs, self._inbox, self._effects = db["docs"], db["inbox"], db["effects"]
        await self._docs.create_index("pending", unique=True, sparse=True)
        self._producer, self._consumer = _producer(self.stack), _consumer(self.stack, self.topic)
        self._wakeup, self._applied, self._expected = asyncio.Event(), 0, 0
        self._done, self._settled = asyncio.Event(), asyncio.Event()
        self._written = self._cleared = 0
        try:
            await _started(self._producer, self._consumer, self.topic)
            tasks = [asyncio.create_task(self._relay()), asyncio.create_task(self._consume())]
            try:
                yield self
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await self._consumer.stop()
            await self._producer.stop()
            await client.drop_database(self.database)
            await client.close()

    async def _relay(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            pending = [doc async for doc in self._docs.find({"pending": {"$regex": "^"}}, {"event": 1, "pending": 1})]
            if not pending:
                continue
            sent = [await self._producer.send(self.topic, doc["event"], key=doc["_id"].encode()) for doc in pending]
            await asyncio.gather(*sent)
            await self._docs.update_many(
                {"pending": {"$in": [doc["pending"] for doc in pending]}}, {"$unset": {"pending": "", "event": ""}}
            )
            self._cleared += len(pending)
            if self._cleared >= self._written:
                self._settled.set()
            self._wakeup.set()  # more may have come meanwhile

    async def _consume(self) -> None:
        while True:
            batch = [r for records in (await self._consumer.getmany(timeout_ms=1000)).values() for r in records]
            if not batch:
                continue
            envelopes = [Envelope.model_validate_json(r.value or b"") for r in batch]
            ids = [str(envelope.event_id) for envelope in envelopes]
            with contextlib.suppress(BulkWriteError):  # replayed records: their effect is there already
                await self._effects.insert_many(
                    [{"_id": i, "key": e.subject} for i, e in zip(ids, envelopes, strict=True)], ordered=False
                )
            with contextlib.suppress(BulkWriteError):  # ...and their id
                await self._inbox.insert_many([{"_id": f"{self.topic}:{i}"} for i in ids], ordered=False)
            await self._consumer.commit()
            self._applied += len(batch)
            if self._applied >= self._expected:
                self._done.set()

    async def slice(self, events: int) -> float:
        self._done.clear()
        self._expected = self._applied + events
        keys = iter(range(self._written, self._written + events))
        self._written += events

        async def writer() -> None:
            for n in keys:
                company = f"{n:09d}"
                event = Envelope.wrap(rating(company, self.run), occurred_at=datetime.now(UTC)).to_bytes()
                await self._docs.insert_one(
                    {"_id": f"{self.run}:{company}", "state": "rated", "pending": uuid.uuid4().hex, "event": event}
                )
                self._wakeup.set()

        began = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        await asyncio.wait_for(self._done.wait(), timeout=600)
        elapsed = time.perf_counter() - began
        await asyncio.wait_for(self._settled.wait(), timeout=60)  # the relay's last clean-up, untimed
        self._settled.clear()
        return elapsed


class OutboxPath:
    """The platform's consumer in the bench service: the effects of its own run's events."""

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


@dataclass
class Platform:
    """The platform's path in a service built by the chassis (`create_service_app`): writers put each
    event in its document's outbox (`Outbox.new_document`), `OutboxRelay` publishes, the consumer
    group deduplicates through its inbox and writes the batch's effects (`EventConsumer.on_batch`)."""

    stack: Stack
    name: str = "platform"
    run: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:8]}")
    database: str = ""
    path: OutboxPath = field(init=False)
    runtime: Runtime = field(init=False)
    _written: int = 0

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Platform]:
        self.path = OutboxPath(self.run)
        settings = ServiceSettings(
            service_name=self.run,
            environment="test",
            mongo_url=self.stack.mongo_url,
            kafka_bootstrap_servers=self.stack.bootstrap_servers,
            log_level="WARNING",
            # A loaded machine answers slower than a service's fail-fast second: a heartbeat missing
            # it resets the pool and cancels the writes in flight, which is not what is measured here.
            mongo_timeout_ms=10_000,
            mongo_socket_timeout_ms=60_000,
        )
        app = create_service_app(
            ServiceDefinition(
                settings=settings,
                title=self.run,
                description="benchmark",
                outbox_collections=["bench_docs"],
                subscribe=self.path.subscribe,
            )
        )
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            runtime = self.path.runtime
            assert runtime is not None
            self.runtime, self.database = runtime, runtime.db.name
            await self._past_earlier_runs(runtime)
            try:
                yield self
            finally:
                await runtime.mongo.drop_database(self.database)

    @staticmethod
    async def _past_earlier_runs(runtime: Runtime) -> None:
        """Let the new group read past what earlier runs left on the topic."""
        handled = runtime.metrics.events_handled
        previous = -1.0
        while True:
            await asyncio.sleep(1.5)
            current = sum(m.value for metric in handled.collect() for m in metric.samples if m.name.endswith("_total"))
            if current == previous:
                return
            previous = current

    async def slice(self, events: int) -> float:
        runtime = self.runtime
        self.path.done.clear()
        self.path.expected = self.path.applied + events
        docs = runtime.db["bench_docs"]
        queue = iter(range(self._written, self._written + events))
        self._written += events

        async def writer() -> None:
            for n in queue:
                company = f"{n:09d}"
                await docs.insert_one(
                    runtime.outbox.new_document({"_id": f"{self.run}:{company}"}, rating(company, self.run))
                )
                runtime.outbox.notify()

        began = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        await asyncio.wait_for(self.path.done.wait(), timeout=600)
        elapsed = time.perf_counter() - began
        await self._settled()  # the relay's last clean-up, untimed
        return elapsed

    async def _settled(self) -> None:
        """Until the relay published and cleaned up every entry written (its counter moves after)."""
        published = self.runtime.metrics.outbox_published
        for _ in range(1200):
            samples = [m for metric in published.collect() for m in metric.samples if m.name.endswith("_total")]
            if sum(m.value for m in samples if m.labels.get("relay") == "outbox") >= self._written:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the relay did not clean up within a minute")


def _process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far, 0 if it is not there."""
    if pid is None:
        return 0.0
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU used so far by this process (writers, relay and consumer of every side) and the servers."""
    used = {"bench_process": time.process_time()}
    for name in ("mongo", "kafka"):
        used[f"{name}_server"] = _process_cpu(stack.component(name).process.pid())
    return used


@dataclass
class Tally:
    events: int = 0
    seconds: float = 0.0
    slices: list[float] = field(default_factory=list)
    commands: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        writes = sum(n for name, n in self.commands.items() if name.split()[0] in WRITES)
        figures: dict[str, Any] = {
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events / self.seconds, 1),
            "slice_events_per_second": [round(self.events / len(self.slices) / s, 1) for s in self.slices],
            "writers": WRITERS,
            "cpu_ms_per_event": {name: round(1000 * used / self.events, 2) for name, used in sorted(self.cpu.items())},
        }
        if self.commands:
            figures["mongo_write_commands"] = writes
            figures["mongo_write_commands_per_event"] = round(writes / self.events, 3)
            figures["mongo_commands"] = dict(sorted(self.commands.items()))
        return figures


async def bench_bus(stack: Stack, events: int = 3000, slices: int = 6) -> dict[str, Any]:
    listener = MongoCommands()
    monitoring.register(listener)  # every client made from now on: the platform's too
    per_slice = events // slices
    load_before = os.getloadavg()
    raw, floor, platform = Raw(stack), Floor(stack), Platform(stack)
    tallies = {side.name: Tally() for side in (raw, floor, platform)}
    async with raw.running(), floor.running(), platform.running():
        for n in range(slices):
            order: list[Side] = [platform, floor, raw] if n % 2 == 0 else [floor, platform, raw]
            for side in order:
                tally = tallies[side.name]
                before = listener.snapshot(side.database) if side.database else Counter()
                cpu = cpu_seconds(stack)
                seconds = await side.slice(per_slice)
                for name, used in cpu_seconds(stack).items():
                    tally.cpu[name] = tally.cpu.get(name, 0.0) + used - cpu[name]
                if side.database:
                    tally.commands += listener.snapshot(side.database) - before
                tally.events += per_slice
                tally.seconds += seconds
                tally.slices.append(seconds)
    out, low, bare = (tallies[name].figures() for name in ("platform", "floor", "raw"))
    return {
        "events": per_slice * slices,
        "slices": slices,
        "message_bytes": len(raw.payload),
        "raw_aiokafka": bare,
        "hand_written_floor": low,
        "outbox_to_consumer": out,
        "outbox_to_raw_throughput_ratio": round(out["events_per_second"] / bare["events_per_second"], 3),
        "floor_to_raw_throughput_ratio": round(low["events_per_second"] / bare["events_per_second"], 3),
        "outbox_to_floor_throughput_ratio": round(out["events_per_second"] / low["events_per_second"], 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "load_average_before": [round(x, 2) for x in load_before],
    }
