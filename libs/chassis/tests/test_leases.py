"""The chassis lease mechanism on the real local Mongo server; time is a
settable clock, so lapses and renewals need no sleeping."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from chassis.leases import Leases
from devstack.stack import Stack
from tests.clock import SettableClock

pytestmark = pytest.mark.infra
TTL = timedelta(seconds=10)
DUE: dict[str, Any] = {"due": True}


@pytest.fixture
async def work(stack: Stack) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"leases_t_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]["work"]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 1, 12, tzinfo=UTC))


def leases(work: AsyncCollection[dict[str, Any]], clock: SettableClock, owner: str) -> Leases:
    return Leases(work, owner=owner, clock=clock, ttl=TTL)


async def add(work: AsyncCollection[dict[str, Any]], count: int) -> list[str]:
    ids = [f"w{n}" for n in range(count)]
    await work.insert_many([{"_id": i, "due": True, "version": 1, "lease": None} for i in ids])
    return ids


async def test_a_claim_holds_until_its_lease_lapses_then_another_takes_it(
    work: AsyncCollection[dict[str, Any]], clock: SettableClock
) -> None:
    await add(work, 1)
    dead, live = leases(work, clock, "dead"), leases(work, clock, "live")
    claim = await dead.claim(DUE)
    assert claim is not None
    assert claim.document["lease"]["owner"] == "dead"
    assert await live.claim(DUE) is None
    assert await live.next_expiry(DUE) == clock.at + TTL
    clock.advance(seconds=9.9)
    assert await live.claim(DUE) is None  # still held
    clock.advance(seconds=0.2)
    taken = await live.claim(DUE)
    assert taken is not None
    assert taken.version == claim.version + 1  # the fence moved on
    # The dead holder's late write matches nothing: fenced off.
    assert not await dead.complete(claim, {"$set": {"done_by": "dead"}})
    assert await live.complete(taken, {"$set": {"done_by": "live", "due": False}})
    stored = await work.find_one({"_id": "w0"})
    assert stored is not None
    assert stored["done_by"] == "live"
    assert stored["lease"] is None


async def test_the_live_holder_renews_and_keeps_its_claim(
    work: AsyncCollection[dict[str, Any]], clock: SettableClock
) -> None:
    await add(work, 2)
    holder, other = leases(work, clock, "holder"), leases(work, clock, "other")
    first, second = await holder.claim(DUE), await holder.claim(DUE)
    assert first is not None
    assert second is not None
    for _ in range(10):  # 30 s, three times the ttl, renewed every ttl/3
        clock.advance(seconds=TTL.total_seconds() / 3)
        assert await holder.renew() == 2
        assert await other.claim(DUE) is None
    # Renewal does not move the fence: the holder's writes still apply.
    assert await holder.complete(first, {"$set": {"due": False}})
    assert holder.holding == 1
    assert await holder.release(second)
    assert holder.holding == 0
    assert await holder.renew() == 0
    again = await other.claim(DUE)
    assert again is not None
    assert again.id == second.id


async def test_renewal_never_takes_back_a_lease_another_took_over(
    work: AsyncCollection[dict[str, Any]], clock: SettableClock
) -> None:
    await add(work, 1)
    paused, other = leases(work, clock, "paused"), leases(work, clock, "other")
    claim = await paused.claim(DUE)
    assert claim is not None
    clock.advance(seconds=11)
    assert await other.claim(DUE) is not None
    assert await paused.renew() == 0
    stored = await work.find_one({"_id": "w0"})
    assert stored is not None
    assert stored["lease"]["owner"] == "other"


async def test_two_instances_never_hold_the_same_unit(
    work: AsyncCollection[dict[str, Any]], clock: SettableClock
) -> None:
    ids = await add(work, 40)
    instances = [leases(work, clock, f"instance-{n}") for n in range(4)]
    taken: list[str] = []

    async def drain(instance: Leases) -> None:
        while (claim := await instance.claim(DUE)) is not None:
            taken.append(claim.id)
            assert await instance.complete(claim, {"$set": {"due": False}})

    await asyncio.gather(*(drain(instance) for instance in instances))
    assert sorted(taken) == sorted(ids)


async def test_a_claim_takes_an_exclusion_or_an_inclusion_projection(
    work: AsyncCollection[dict[str, Any]], clock: SettableClock
) -> None:
    await work.insert_many(
        [{"_id": i, "due": True, "version": 1, "lease": None, "big": "x" * 100, "n": i} for i in (1, 2)]
    )
    holder = leases(work, clock, "holder")
    excluded = await holder.claim(DUE, projection={"big": 0})
    assert excluded is not None
    assert "big" not in excluded.document
    assert excluded.document["lease"]["owner"] == "holder"
    included = await holder.claim(DUE, projection={"n": 1})
    assert included is not None
    assert set(included.document) == {"_id", "n", "lease", "version"}
    assert included.version == 2


def test_a_lease_must_be_renewed_more_often_than_it_lasts(
    clock: SettableClock,
) -> None:
    with pytest.raises(ValueError, match="renewed more often"):
        Leases(None, owner="x", clock=clock, ttl=TTL, renew_every=TTL)  # type: ignore[arg-type]
    assert Leases(None, owner="x", clock=clock, ttl=TTL).renew_every == TTL / 3  # type: ignore[arg-type]
