"""The bus guarantees of ARCHITECTURE.md, proven on the real Kafka and Mongo
server with the chassis as every service uses it: redelivery has one effect,
and a poison message goes to the dead-letter topic without stopping the
consumer. (The broker-outage guarantee is proven across services in
tests/e2e/test_broker_outage.py.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from chassis.consumer import EventConsumer
from chassis.service import Runtime, ServiceDefinition, create_service_app
from chassis.settings import ServiceSettings
from contracts import Envelope, RatingUpdated, dead_letter_topic
from devstack.stack import Stack
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra


def rating(company_id: str, rating: str = "B") -> Envelope:
    event = RatingUpdated(
        company_id=company_id, provider="probe", rating=rating, national_score=50, credit_limit_cents=100_000
    )
    return Envelope.wrap(event, occurred_at=datetime.now(UTC))


class Probe:
    """A throwaway service whose handler counts its effects without any
    idempotence of its own, so that only the chassis can prevent doubles."""

    def __init__(self, stack: Stack) -> None:
        self.name = f"probe-{uuid.uuid4().hex[:10]}"
        self.settings = ServiceSettings(
            service_name=self.name,
            environment="test",
            mongo_url=stack.mongo_url,
            kafka_bootstrap_servers=stack.bootstrap_servers,
            consumer_max_attempts=2,
            consumer_backoff_seconds=0.01,
        )
        self.runtime: Runtime | None = None
        self.attempts: dict[str, int] = {}
        self.broken: set[str] = set()  # companies whose events the handler cannot apply (until fixed)

    def subscribe(self, consumer: EventConsumer, runtime: Runtime) -> None:
        self.runtime = runtime

        @consumer.on(RatingUpdated)
        async def count(event: RatingUpdated, envelope: Envelope) -> None:
            key = str(envelope.event_id)
            self.attempts[key] = self.attempts.get(key, 0) + 1
            if event.rating == "FAIL" or event.company_id in self.broken:
                raise ValueError("this handler cannot apply a FAIL rating")
            await runtime.db["effects"].update_one(
                {"_id": key}, {"$inc": {"count": 1}, "$set": {"company": event.company_id}}, upsert=True
            )

    async def effect(self, envelope: Envelope, timeout: float = 30) -> dict[str, Any]:
        assert self.runtime is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            found = await self.runtime.db["effects"].find_one({"_id": str(envelope.event_id)})
            if found:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"no effect of {envelope.event_id} within {timeout}s")


@pytest.fixture
async def probe(stack: Stack) -> AsyncIterator[Probe]:
    probe = Probe(stack)
    app: FastAPI = create_service_app(
        ServiceDefinition(settings=probe.settings, title="probe", description="test", subscribe=probe.subscribe)
    )
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        yield probe


async def send(producer: AIOKafkaProducer, value: bytes, key: str) -> None:
    await producer.send_and_wait(RatingUpdated.topic, value, key=key.encode())


async def test_the_same_event_delivered_twice_has_one_effect(probe: Probe, producer: AIOKafkaProducer) -> None:
    company = f"{uuid.uuid4().int % 10**9:09d}"
    twice, sentinel = rating(company), rating(company)
    await send(producer, twice.to_bytes(), company)
    await send(producer, twice.to_bytes(), company)
    # Same key, same partition: once the sentinel is applied, both copies were handled.
    await send(producer, sentinel.to_bytes(), company)
    await probe.effect(sentinel)
    assert (await probe.effect(twice))["count"] == 1
    assert probe.attempts[str(twice.event_id)] == 1  # the copy never reached the handler
    assert probe.runtime is not None
    duplicates = probe.runtime.metrics.events_handled.labels("RatingUpdated", "duplicate")._value.get()
    assert duplicates >= 1


async def read_dead_letters(stack: Stack, group: str, expected: int, timeout: float = 30) -> list[Any]:
    consumer = AIOKafkaConsumer(
        dead_letter_topic(group),
        bootstrap_servers=stack.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def test_poison_messages_are_dead_lettered_and_the_next_one_is_processed(
    stack: Stack, probe: Probe, producer: AIOKafkaProducer
) -> None:
    company = f"{uuid.uuid4().int % 10**9:09d}"
    garbage = b"{not json at all"
    wrong_shape = b'{"event_id": "x"}'
    failing = rating(company, rating="FAIL")
    after = rating(company)
    for value in (garbage, wrong_shape, failing.to_bytes(), after.to_bytes()):
        await send(producer, value, company)

    effect = await probe.effect(after)
    assert effect["count"] == 1
    # The failing handler was retried up to the bound, then given up on.
    assert probe.attempts[str(failing.event_id)] == probe.settings.consumer_max_attempts

    letters = await read_dead_letters(stack, probe.name, expected=3)
    by_value = {record.value: dict(record.headers) for record in letters if record.key == company.encode()}
    assert set(by_value) >= {garbage, wrong_shape, failing.to_bytes()}
    failed_headers = by_value[failing.to_bytes()]
    assert failed_headers["x-original-topic"] == RatingUpdated.topic.encode()
    assert failed_headers["x-attempts"] == b"2"
    assert b"cannot apply a FAIL rating" in failed_headers["x-error"]
    assert b"undecodable" in by_value[garbage]["x-error"]


async def test_dead_letters_can_be_listed_and_replayed(stack: Stack, probe: Probe, producer: AIOKafkaProducer) -> None:
    from chassis.deadletters import read_dead_letters as list_letters
    from chassis.deadletters import replay

    company = f"{uuid.uuid4().int % 10**9:09d}"
    failing, after = rating(company, rating="FAIL"), rating(company)
    await send(producer, failing.to_bytes(), company)
    await send(producer, after.to_bytes(), company)
    await probe.effect(after)
    # The group reads the topic from its start: keep to this test's company.
    letters = [d for d in await list_letters(stack.bootstrap_servers, probe.name) if d.key == company.encode()]
    assert [letter.value for letter in letters] == [failing.to_bytes()]
    assert letters[0].original_topic == RatingUpdated.topic

    replayed = await replay(stack.bootstrap_servers, probe.name, positions=[(letters[0].partition, letters[0].offset)])
    assert [letter.value for letter in replayed] == [failing.to_bytes()]
    marker = rating(company)
    await send(producer, marker.to_bytes(), company)
    await probe.effect(marker)
    # Handled again from scratch (same bound of attempts), then dead-lettered again.
    assert probe.attempts[str(failing.event_id)] == 2 * probe.settings.consumer_max_attempts
    again = [d for d in await list_letters(stack.bootstrap_servers, probe.name) if d.key == company.encode()]
    assert len(again) == 2


async def test_handling_continues_the_trace_of_the_cause(probe: Probe, producer: AIOKafkaProducer) -> None:
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from contracts import TraceContext

    assert probe.runtime is not None
    spans = InMemorySpanExporter()
    probe.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    company = f"{uuid.uuid4().int % 10**9:09d}"
    trace_id, parent_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    caused = rating(company).model_copy(update={"trace": TraceContext(traceparent=f"00-{trace_id}-{parent_id}-01")})
    await send(producer, caused.to_bytes(), company)
    await probe.effect(caused)
    handling = [s for s in spans.get_finished_spans() if s.name == "handle RatingUpdated"]
    ours = [s for s in handling if f"{s.context.trace_id:032x}" == trace_id]
    assert ours, [f"{s.context.trace_id:032x}" for s in handling]
    assert ours[0].parent is not None
    assert f"{ours[0].parent.span_id:016x}" == parent_id


async def test_a_stopping_consumer_leaves_the_rest_of_its_batch_uncommitted(probe: Probe) -> None:
    from types import SimpleNamespace

    from chassis.consumer import ConsumerStopping

    assert probe.runtime is not None
    consumer = probe.runtime.consumer
    company = f"{uuid.uuid4().int % 10**9:09d}"
    first, second = rating(company), rating(company)
    records = tuple(
        SimpleNamespace(topic=RatingUpdated.topic, partition=0, offset=i, key=company.encode(), value=e.to_bytes())
        for i, e in enumerate((first, second))
    )
    handled: list[str] = []

    async def handler(event: RatingUpdated, envelope: Envelope) -> None:
        handled.append(str(envelope.event_id))
        consumer.stop()  # the service begins to stop while the first record is handled

    with pytest.raises(ConsumerStopping):
        await consumer.process(RatingUpdated, handler, SimpleNamespace(raw_message=records, consumer=None))
    assert handled == [str(first.event_id)]
    # The record handled is recorded as applied; the other one will come again.
    inbox = probe.runtime.db["inbox"]
    assert await inbox.count_documents({"_id": f"{probe.name}:{first.event_id}"}) == 1
    assert await inbox.count_documents({"_id": f"{probe.name}:{second.event_id}"}) == 0


async def dead_letters_of(stack: Stack, probe: Probe, company: str) -> list[Any]:
    from chassis.deadletters import read_dead_letters as list_letters

    return [d for d in await list_letters(stack.bootstrap_servers, probe.name) if d.key == company.encode()]


async def test_a_dead_lettered_event_is_not_dead_lettered_again_when_delivered_again(
    stack: Stack, probe: Probe, producer: AIOKafkaProducer
) -> None:
    company = f"{uuid.uuid4().int % 10**9:09d}"
    failing, after = rating(company, rating="FAIL"), rating(company)
    await send(producer, failing.to_bytes(), company)
    await send(producer, after.to_bytes(), company)
    await probe.effect(after)
    assert probe.runtime is not None
    recorded = await probe.runtime.db["inbox"].find_one({"_id": f"{probe.name}:{failing.event_id}"})
    assert recorded is not None
    assert recorded["outcome"] == "dead_lettered"
    # A rewind (or a replay of the topic from offset 0) delivers it again: skipped.
    marker = rating(company)
    await send(producer, failing.to_bytes(), company)
    await send(producer, marker.to_bytes(), company)
    await probe.effect(marker)
    assert probe.attempts[str(failing.event_id)] == probe.settings.consumer_max_attempts
    assert len(await dead_letters_of(stack, probe, company)) == 1


async def test_a_replayed_dead_letter_is_applied_once_its_cause_is_fixed(
    stack: Stack, probe: Probe, producer: AIOKafkaProducer
) -> None:
    from chassis.deadletters import replay

    company = f"{uuid.uuid4().int % 10**9:09d}"
    probe.broken.add(company)
    stuck = rating(company)
    await send(producer, stuck.to_bytes(), company)
    [letter] = await eventually(lambda: dead_letters_of(stack, probe, company))
    probe.broken.discard(company)  # the cause is fixed
    await replay(stack.bootstrap_servers, probe.name, positions=[(letter.partition, letter.offset)])
    assert (await probe.effect(stuck))["count"] == 1
    # Delivered once more (a rewind of the original topic): still one effect.
    marker = rating(company)
    await send(producer, stuck.to_bytes(), company)
    await send(producer, marker.to_bytes(), company)
    await probe.effect(marker)
    assert (await probe.effect(stuck))["count"] == 1
    assert probe.runtime is not None
    recorded = await probe.runtime.db["inbox"].find_one({"_id": f"{probe.name}:{stuck.event_id}"})
    assert recorded is not None
    assert recorded["outcome"] == "applied"


def records_of(*envelopes: Envelope, company: str, first_offset: int = 0) -> tuple[Any, ...]:
    from types import SimpleNamespace

    return tuple(
        SimpleNamespace(
            topic=RatingUpdated.topic,
            partition=0,
            offset=first_offset + i,
            key=company.encode(),
            value=e.to_bytes(),
            headers=(),
        )
        for i, e in enumerate(envelopes)
    )


async def test_a_batch_handler_gets_the_new_events_of_each_batch_once(probe: Probe) -> None:
    from types import SimpleNamespace

    from chassis.consumer import one_by_one

    assert probe.runtime is not None
    consumer = probe.runtime.consumer
    company = f"{uuid.uuid4().int % 10**9:09d}"
    first, second = rating(company), rating(company)
    batches: list[list[str]] = []

    async def apply(batch: Any) -> None:
        batches.append([str(envelope.event_id) for _, envelope in batch])

    handler = one_by_one(apply)
    once = SimpleNamespace(raw_message=records_of(first, company=company), consumer=None)
    await consumer.process(RatingUpdated, handler, once, batch=apply)
    # Redelivered with the next one (a rewind after a crash before the commit): only the new one is handled.
    again = SimpleNamespace(raw_message=records_of(first, second, company=company), consumer=None)
    await consumer.process(RatingUpdated, handler, again, batch=apply)
    assert batches == [[str(first.event_id)], [str(second.event_id)]]
    inbox = probe.runtime.db["inbox"]
    for envelope in (first, second):
        recorded = await inbox.find_one({"_id": f"{probe.name}:{envelope.event_id}"})
        assert recorded is not None
        assert recorded["outcome"] == "applied"


async def test_a_failing_batch_is_handled_one_event_at_a_time(stack: Stack, probe: Probe) -> None:
    from types import SimpleNamespace

    from chassis.consumer import one_by_one

    assert probe.runtime is not None
    consumer = probe.runtime.consumer
    company = f"{uuid.uuid4().int % 10**9:09d}"
    before, failing, after = rating(company), rating(company, rating="FAIL"), rating(company)
    calls: list[list[str]] = []

    async def apply(batch: Any) -> None:
        calls.append([envelope.subject + ":" + event.rating for event, envelope in batch])
        if any(event.rating == "FAIL" for event, _ in batch):
            raise ValueError("this handler cannot apply a FAIL rating")

    message = SimpleNamespace(raw_message=records_of(before, failing, after, company=company), consumer=None)
    await consumer.process(RatingUpdated, one_by_one(apply), message, batch=apply)
    ok, fail = f"{company}:B", f"{company}:FAIL"
    # The batch once, then each event alone: the failing one up to the bound, the others once.
    assert calls == [[ok, fail, ok], [ok], *[[fail]] * probe.settings.consumer_max_attempts, [ok]]
    inbox = probe.runtime.db["inbox"]
    outcomes = {
        envelope.event_id: (await inbox.find_one({"_id": f"{probe.name}:{envelope.event_id}"}) or {}).get("outcome")
        for envelope in (before, failing, after)
    }
    assert outcomes == {before.event_id: "applied", failing.event_id: "dead_lettered", after.event_id: "applied"}
    assert [letter.value for letter in await dead_letters_of(stack, probe, company)] == [failing.to_bytes()]
