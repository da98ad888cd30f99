"""One holder at a time (chassis.leases.Leadership) on the real Mongo server, and two couriers of
one service's instances sending each mail once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest

from chassis.leases import Leadership
from chassis.mail import COURIER_FIELD, mail_entry, with_mail
from chassis.mongo import MongoDatabase
from chassis.outbox import RelayPolicy
from devstack.stack import Stack
from tests.clock import SettableClock
from tests.integration.conftest import SinkCourier
from tests.polling import eventually

pytestmark = pytest.mark.infra
TTL = timedelta(seconds=15)


def leader(db: MongoDatabase, owner: str, clock: SettableClock) -> Leadership:
    return Leadership(db["_leaders"], name="courier:invitations", owner=owner, clock=clock, ttl=TTL)


async def test_one_holder_until_it_steps_down_or_its_lease_lapses(db: MongoDatabase) -> None:
    clock = SettableClock()
    first, second = leader(db, "a", clock), leader(db, "b", clock)
    assert await first.hold()
    assert not await second.hold()
    clock.advance(seconds=6)  # past a third of the ttl: the holder renews, the other asks again
    assert await first.hold()
    assert not await second.hold()

    clock.advance(seconds=16)  # the holder stalled past its lease: the other takes over
    assert await second.hold()
    assert not await first.hold()

    await second.step_down()
    clock.advance(seconds=6)  # the refusal remembered by the first is old enough to ask again
    assert await first.hold()
    document = await db["_leaders"].find_one({"_id": "courier:invitations"})
    assert document is not None
    assert document["owner"] == "a"


async def test_two_couriers_of_one_service_send_each_mail_once(
    stack: Stack, db: MongoDatabase, sink_courier: SinkCourier
) -> None:
    tag = uuid.uuid4().hex[:8]
    addresses = [f"lead-{tag}-{n}@example.org" for n in range(30)]
    relays = []
    for owner in ("instance-1", "instance-2"):
        relay, _ = sink_courier(
            db,
            ["invitations"],
            policy=RelayPolicy(poll_seconds=0.05),
            leadership=Leadership(db["_leaders"], name="courier:invitations", owner=owner, clock=SettableClock()),
        )
        relays.append(relay)
    running = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        for n, address in enumerate(addresses):
            entry = mail_entry(to=address, subject=f"Invitation {n}", text="join us", now=SettableClock().now())
            await db["invitations"].insert_one(with_mail({"_id": f"{tag}-{n}"}, entry))

        async def all_sent() -> bool:
            left = await db["invitations"].count_documents({f"{COURIER_FIELD}.0": {"$exists": True}})
            return left == 0

        await eventually(all_sent, timeout=60)
    finally:
        for relay in relays:
            relay.stop()
        await asyncio.gather(*running)
    parser = BytesParser(policy=policy.default)
    sent = Counter[str]()
    for path in stack.config.mail_dir.glob("*.eml"):
        message = parser.parsebytes(path.read_bytes())
        if str(message["To"]) in addresses:
            sent[str(message["To"])] += 1
    assert sent == dict.fromkeys(addresses, 1)
