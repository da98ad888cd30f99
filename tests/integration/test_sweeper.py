"""The sweeper on the real Mongo server (which has no TTL indexes): the inbox
is pruned by age, expiring documents once past their `expires_at`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chassis.metrics import ServiceMetrics
from chassis.mongo import MongoDatabase
from chassis.service import ServiceDefinition, build_runtime
from chassis.settings import ServiceSettings
from chassis.sweeper import EXPIRES_AT, Sweeper, SweepRule, expiring
from identity.store.throttle import REQUEST_COUNTERS, ThrottleStore
from tests.clock import SettableClock

pytestmark = pytest.mark.infra


async def test_the_inbox_and_expired_counters_are_pruned(db: MongoDatabase) -> None:
    clock, metrics = SettableClock(), ServiceMetrics("t")
    now, days = clock.now(), timedelta(days=1)
    await db["inbox"].insert_many(
        [
            {"_id": "g:old", "outcome": "applied", "recorded_at": now - 15 * days},
            {"_id": "g:recent", "outcome": "dead_lettered", "recorded_at": now - 13 * days},
            {"_id": "g:legacy", "applied_at": now - 20 * days},
        ]
    )
    throttle = ThrottleStore(db)
    assert await throttle.count("login:address:10.0.0.1", 0, now) == 1
    counter = await db[REQUEST_COUNTERS].find_one({})
    assert counter is not None
    assert counter[EXPIRES_AT] > now  # the common field the sweeper deletes by
    await db[REQUEST_COUNTERS].insert_one({"_id": "old-window", "count": 9, EXPIRES_AT: now - days})
    retention = 14 * days
    sweeper = Sweeper(
        db,
        [SweepRule("inbox", "recorded_at", retention), SweepRule("inbox", "applied_at", retention)],
        clock,
        metrics,
    )
    sweeper.register(*expiring(REQUEST_COUNTERS))

    assert await sweeper.sweep_once() == {"inbox": 2, REQUEST_COUNTERS: 1}
    assert {d["_id"] async for d in db["inbox"].find()} == {"g:recent"}
    assert [d["_id"] async for d in db[REQUEST_COUNTERS].find()] == [counter["_id"]]
    assert metrics.swept.labels("inbox")._value.get() == 2

    clock.advance(days=2)  # past the live counter's expiry
    assert await sweeper.sweep_once() == {"inbox": 1, REQUEST_COUNTERS: 1}


def test_a_service_registers_its_expiring_collections_with_its_sweeper() -> None:
    settings = ServiceSettings(service_name="probe", environment="test", inbox_retention_days=7)
    runtime = build_runtime(ServiceDefinition(settings=settings, title="p", description="p", expiring=["throttles"]))
    rules = {(r.collection, r.field, r.max_age) for r in runtime.sweeper.rules}
    assert ("throttles", EXPIRES_AT, timedelta(0)) in rules
    assert ("inbox", "recorded_at", timedelta(days=7)) in rules
