"""The outbox relay against the real Mongo server, with a publisher that fails
on demand: what is acknowledged is removed, what failed stays with its
attempts counted, and one document's events keep their order."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from chassis.metrics import ServiceMetrics
from chassis.mongo import MongoDatabase, ensure_indexes
from chassis.outbox import (
    OUTBOX_FIELD,
    Outbox,
    OutboxEntry,
    OutboxRelay,
    RelayPolicy,
    outbox_indexes,
    pending_marker,
)
from chassis.parking import DISCARDED, discard_parked, list_parked, retry_parked
from contracts import RatingUpdated
from devstack.stack import Stack
from tests.clock import SettableClock
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FlakyPublisher:
    """Fails chosen entries and, like Kafka's idempotent producer within a
    partition, every later entry of the same key in that batch: `fail_ids` as
    an outage would (ConnectionError), `refuse_ids` for a reason of their own.
    Records every attempt."""

    def __init__(self) -> None:
        self.sent: list[OutboxEntry] = []
        self.attempted: list[str] = []
        self.fail_ids: set[str] = set()
        self.refuse_ids: set[str] = set()

    async def __call__(self, entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        self.attempted.extend(e.id for e in entries)
        results: list[BaseException | None] = []
        broken_keys: set[str] = set()
        for entry in entries:
            if entry.id in self.refuse_ids:
                broken_keys.add(entry.key)
                results.append(ValueError("message too large"))
            elif entry.id in self.fail_ids or entry.key in broken_keys:
                broken_keys.add(entry.key)
                results.append(ConnectionError("broker unreachable"))
            else:
                self.sent.append(entry)
                results.append(None)
        return results


def events(n: int, company: str = "732829320") -> list[RatingUpdated]:
    return [
        RatingUpdated(company_id=company, provider="p", rating=str(i), national_score=i, credit_limit_cents=i)
        for i in range(n)
    ]


async def test_a_failed_event_and_those_after_it_stay_pending(db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, ServiceMetrics("t"), clock=clock)
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
    clock.advance(seconds=relay.policy.max_backoff_seconds)  # the failed entry's own backoff
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


async def ids_of(db: MongoDatabase, doc_id: str) -> list[str]:
    return [e["id"] for e in (await db["things"].find_one({"_id": doc_id}) or {}).get(OUTBOX_FIELD, [])]


async def test_a_failing_entry_backs_off_alone_and_the_others_go_on(db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, ServiceMetrics("t"), clock=clock)
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(2)))
    first, second = await ids_of(db, "a")
    publish.fail_ids = {first}
    assert await relay.drain_once() == (0, 1)
    head = (await db["things"].find_one({"_id": "a"}) or {})[OUTBOX_FIELD][0]
    assert head["next_attempt_at"] > clock.now()  # its own backoff

    # Meanwhile another document's events go out at once, pass after pass;
    # a's entries are not even attempted until their time comes.
    for n in range(3):
        await db["things"].insert_one(outbox.new_document({"_id": f"b{n}"}, *events(1, company="552100554")))
        assert await relay.drain_once() == (1, 0)
    assert publish.attempted.count(first) == publish.attempted.count(second) == 1  # the first pass only

    clock.advance(seconds=relay.policy.max_backoff_seconds)
    publish.fail_ids = set()
    assert await relay.drain_once() == (2, 0)
    assert [e.id for e in publish.sent if e.id in {first, second}] == [first, second]


async def test_a_write_is_published_at_once_while_another_entry_backs_off(db: MongoDatabase) -> None:
    outbox, publish = Outbox(Clock()), FlakyPublisher()
    # A long poll: only the writer's wake-up can make the relay look again soon.
    policy = RelayPolicy(poll_seconds=60.0, backoff_seconds=60.0, max_backoff_seconds=60.0)
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, ServiceMetrics("t"), policy=policy)
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(1)))
    publish.fail_ids = set(await ids_of(db, "a"))
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _attempted(publish, publish.fail_ids))
        await db["things"].insert_one(outbox.new_document({"_id": "b"}, *events(1, company="552100554")))
        [fresh] = await ids_of(db, "b")
        outbox.notify()
        await eventually(lambda: _sent(publish, fresh), timeout=10)
    finally:
        relay.stop()
        await task


async def _attempted(publish: FlakyPublisher, ids: set[str]) -> bool:
    return ids <= set(publish.attempted)


async def _sent(publish: FlakyPublisher, entry_id: str) -> bool:
    return entry_id in {e.id for e in publish.sent}


async def test_an_entry_that_keeps_failing_is_parked_and_holds_back_only_its_document(db: MongoDatabase) -> None:
    clock, metrics = SettableClock(), ServiceMetrics("t")
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(
        db, ["things"], outbox.wakeup, publish, metrics, clock=clock, policy=RelayPolicy(max_attempts=3)
    )
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(2)))
    bad, later = await ids_of(db, "a")
    publish.refuse_ids = {bad}
    for _ in range(3):
        await relay.drain_once()
        clock.advance(seconds=relay.policy.max_backoff_seconds)
    doc = await db["things"].find_one({"_id": "a"}) or {}
    head = doc[OUTBOX_FIELD][0]
    assert (head["id"], head["state"], head["attempts"]) == (bad, "parked", 3)
    assert "message too large" in head["last_error"]
    assert doc[OUTBOX_FIELD][1]["id"] == later  # nothing lost, nothing reordered
    assert metrics.outbox_parkings.labels("outbox")._value.get() == 1
    assert metrics.outbox_parked.labels("outbox")._value.get() == 1

    # Parked: no more attempts; another document goes on.
    attempts = publish.attempted.count(bad)
    await db["things"].insert_one(outbox.new_document({"_id": "b"}, *events(1, company="552100554")))
    for _ in range(2):
        await relay.drain_once()
        clock.advance(seconds=60)
    assert publish.attempted.count(bad) == attempts
    assert await ids_of(db, "b") == []
    assert pending_marker(OUTBOX_FIELD) not in (await db["things"].find_one({"_id": "a"}) or {})

    # The operator lists it, then retries it once the cause is fixed.
    [parked] = await list_parked(db)
    assert (parked.id, parked.collection, parked.behind) == (bad, "things", 1)
    publish.refuse_ids = set()
    assert await retry_parked(db, parked)
    assert await relay.drain_once() == (2, 0)
    assert [e.id for e in publish.sent if e.id in {bad, later}] == [bad, later]
    assert await list_parked(db) == []


async def test_a_discarded_parked_entry_is_kept_aside_and_lets_its_document_go_on(db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, clock=clock, policy=RelayPolicy(max_attempts=1))
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(2)))
    bad, later = await ids_of(db, "a")
    publish.refuse_ids = {bad}
    await relay.drain_once()
    [parked] = await list_parked(db)
    assert await discard_parked(db, parked)
    assert await relay.drain_once() == (1, 0)
    assert [e.id for e in publish.sent] == [later]
    kept = await db[DISCARDED].find_one({"_id": bad})
    assert kept is not None
    assert (kept["entry"]["id"], kept["document_id"]) == (bad, "a")


async def test_a_broker_outage_delays_entries_but_never_parks_them(db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, clock=clock, policy=RelayPolicy(max_attempts=2))
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(1)))
    publish.fail_ids = set(await ids_of(db, "a"))  # ConnectionError: an outage
    for _ in range(5):
        assert await relay.drain_once() == (0, 1)
        clock.advance(seconds=60)
    assert await list_parked(db) == []
    publish.fail_ids = set()
    assert await relay.drain_once() == (1, 0)


async def test_documents_written_without_the_marker_are_adopted(db: MongoDatabase) -> None:
    outbox, publish = Outbox(Clock()), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish)
    legacy = outbox.new_document({"_id": "old"}, *events(2))
    del legacy[pending_marker(OUTBOX_FIELD)]  # as written before the marker existed
    await db["things"].insert_one(legacy)
    assert await relay.drain_once() == (0, 0)  # the indexed lookup does not see it...
    assert await relay.adopt_unmarked() == 1  # ...until it is adopted (at start, then every 30 s)
    assert await relay.drain_once() == (2, 0)


async def test_the_pending_lookup_is_served_by_a_sparse_unique_index(db: MongoDatabase) -> None:
    await ensure_indexes(db, outbox_indexes("things"))
    info = await db["things"].index_information()
    marker = info[f"{pending_marker(OUTBOX_FIELD)}_sparse"]
    assert marker.get("unique")
    assert marker.get("sparse")
    outbox = Outbox(Clock())
    # Many documents at once carry the marker: each write's value is its own.
    for n in range(20):
        await db["things"].insert_one(outbox.new_document({"_id": n}, *events(1)))
    assert await OutboxRelay(db, ["things"], outbox.wakeup, FlakyPublisher()).backlog() == 20


async def test_the_operator_command_lists_and_retries_parked_entries(stack: Stack, db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, clock=clock, policy=RelayPolicy(max_attempts=1))
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(1)))
    publish.refuse_ids = set(await ids_of(db, "a"))
    await relay.drain_once()

    async def command(*args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chassis.outbox",
            "parked",
            *args,
            db.name,
            "--mongo",
            stack.mongo_url,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate()
        assert process.returncode == 0
        return out.decode()

    [line] = (await command("list")).splitlines()
    listed = json.loads(line)
    assert (listed["id"], listed["relay"], listed["collection"], listed["attempts"]) == (
        next(iter(publish.refuse_ids)),
        "outbox",
        "things",
        1,
    )
    assert "message too large" in listed["last_error"]
    assert "retried 1 parked entry" in await command("retry", "--id", listed["id"])
    publish.refuse_ids = set()
    assert await relay.drain_once() == (1, 0)
    assert await command("list") == ""


async def test_backed_off_documents_never_crowd_out_due_ones(db: MongoDatabase) -> None:
    clock = SettableClock()
    outbox, publish = Outbox(clock), FlakyPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, clock=clock, policy=RelayPolicy(batch_size=2))
    for n in range(4):
        await db["things"].insert_one(outbox.new_document({"_id": f"stuck{n}"}, *events(1, company=f"55210055{n}")))
        publish.fail_ids.update(await ids_of(db, f"stuck{n}"))
    while sum(await relay.drain_once()) > 0:  # every stuck entry fails once and backs off
        pass
    await db["things"].insert_one(outbox.new_document({"_id": "fresh"}, *events(1)))
    assert await relay.drain_once() == (1, 0)  # more backed-off documents than a batch: found anyway


class WritesCounter(monitoring.CommandListener):
    """Counts the write commands a client sends (a bulk write of many updates is one)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in {"insert", "update", "delete", "findAndModify"}:
            self.writes.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


class WritingPublisher(FlakyPublisher):
    """Runs `during` while the batch is in flight: a writer's update between the relay's read
    and its clean-up."""

    def __init__(self) -> None:
        super().__init__()
        self.during: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results = await super().__call__(entries)
        if self.during is not None:
            during, self.during = self.during, None
            await during()
        return results


async def test_a_pass_clears_every_delivered_document_in_one_write(stack: Stack, db: MongoDatabase) -> None:
    counter = WritesCounter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongo_url, tz_aware=True, event_listeners=[counter]
    )
    try:
        counted = client[db.name]
        await ensure_indexes(counted, outbox_indexes("things"))
        outbox, publish = Outbox(Clock()), FlakyPublisher()
        relay = OutboxRelay(counted, ["things"], outbox.wakeup, publish)
        for n in range(20):
            await counted["things"].insert_one(outbox.new_document({"_id": f"d{n}"}, *events(1 + n % 3)))
        counter.writes.clear()
        assert await relay.drain_once() == (sum(1 + n % 3 for n in range(20)), 0)
        assert counter.writes == ["update"]  # 20 documents, one clean-up
        assert await relay.backlog() == 0
        assert await counted["things"].count_documents({pending_marker(OUTBOX_FIELD): {"$exists": True}}) == 0
    finally:
        await client.close()


async def test_an_entry_added_between_the_read_and_the_clean_up_is_neither_lost_nor_doubled(
    db: MongoDatabase,
) -> None:
    await ensure_indexes(db, outbox_indexes("things"))
    outbox, publish = Outbox(Clock()), WritingPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish)
    for name in ("a", "b"):
        await db["things"].insert_one(outbox.new_document({"_id": name}, *events(2)))
    read = {name: await ids_of(db, name) for name in ("a", "b")}

    async def writer_adds_to_a() -> None:
        await db["things"].update_one({"_id": "a"}, outbox.update({"$set": {"status": "changed"}}, *events(1)))

    publish.during = writer_adds_to_a
    assert await relay.drain_once() == (4, 0)
    [added] = [i for i in await ids_of(db, "a") if i not in read["a"]]
    assert await ids_of(db, "a") == [added]  # the sent ones went, the new one stays...
    assert await ids_of(db, "b") == []
    assert await relay.drain_once() == (1, 0)  # ...and goes out at the next pass
    assert await relay.drain_once() == (0, 0)
    sent = [e.id for e in publish.sent]
    assert sorted(sent) == sorted([*read["a"], *read["b"], added])  # each once
    assert await db["things"].count_documents({pending_marker(OUTBOX_FIELD): {"$exists": True}}) == 0


async def test_a_failure_is_counted_on_its_entry_even_if_a_writer_came_in_between(db: MongoDatabase) -> None:
    await ensure_indexes(db, outbox_indexes("things"))
    clock = SettableClock()
    outbox, publish = Outbox(clock), WritingPublisher()
    relay = OutboxRelay(db, ["things"], outbox.wakeup, publish, clock=clock)
    await db["things"].insert_one(outbox.new_document({"_id": "a"}, *events(2)))
    await db["things"].insert_one(outbox.new_document({"_id": "b"}, *events(2, company="552100554")))
    first_a, second_a = await ids_of(db, "a")
    first_b, second_b = await ids_of(db, "b")
    publish.fail_ids = {second_a, second_b}

    async def writer_adds_to_a() -> None:
        await db["things"].update_one({"_id": "a"}, outbox.update({}, *events(1)))

    publish.during = writer_adds_to_a  # a changed since the read, b did not
    assert await relay.drain_once() == (2, 2)
    for name, failed in (("a", second_a), ("b", second_b)):
        entries = (await db["things"].find_one({"_id": name}) or {})[OUTBOX_FIELD]
        assert entries[0]["id"] == failed
        assert entries[0]["attempts"] == 1
        assert all("attempts" not in e or e["attempts"] == 0 for e in entries[1:])
    [added] = [i for i in await ids_of(db, "a") if i not in {first_a, second_a}]  # added meanwhile, kept

    publish.fail_ids = set()
    clock.advance(seconds=relay.policy.max_backoff_seconds)
    assert await relay.drain_once() == (3, 0)
    sent = [e.id for e in publish.sent]
    assert sorted(sent) == sorted([first_a, second_a, added, first_b, second_b])  # each once
    assert sent.index(second_a) < sent.index(added)  # in the order written
    assert await relay.backlog() == 0
