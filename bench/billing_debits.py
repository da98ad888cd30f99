"""Debit-run throughput: installments debited per second by billing's durable
debit run (claim by conditional findAndModify -> simulated provider charge,
idempotent by key -> state and PaymentSucceeded written in one document update),
on the test stack's real Mongo server.

    bench_debits(stack) -> {"installments": N, "installments_per_second": ..., ...}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import OperationFailure

from billing.adapters.payments import SimulatedProvider
from billing.domain.cards import CardOnFile
from billing.domain.schedules import Order, create_schedule
from billing.handlers.debits import retry_policy, run_due_debits
from billing.ports import Billing
from billing.settings import BillingSettings
from billing.store.companies import CompanyBankDetailsMongo
from billing.store.onboarding import OnboardingStore
from billing.store.profiles import ProfileStore
from billing.store.schedules import INDEXES as SCHEDULE_INDEXES
from billing.store.schedules import SCHEDULES, ScheduleStore
from chassis.leases import Leases, new_owner
from chassis.mongo import ensure_indexes
from chassis.outbox import Outbox, outbox_indexes
from chassis.rights import RightsView
from contracts.events.billing import ScheduleCreated
from devstack.stack import Stack
from tests.clock import SettableClock


async def _seed(billing: Billing, schedules: int, installments: int, card: CardOnFile, now: datetime) -> None:
    for n in range(schedules):
        order = Order(f"BENCH-{n}", "Bench", f"bench-{n}@example.fr", 10_000, 0, now.date(), installments)
        schedule = create_schedule(f"bench_{n}", order, card, created_by="bench", now=now, interval_days=30)
        created = ScheduleCreated(
            schedule_id=schedule.schedule_id,
            order_number=order.order_number,
            merchant=order.merchant,
            buyer_email=order.buyer_email,
            purchase_amount_cents=order.purchase_amount_cents,
            fees_cents=0,
            purchase_date=order.purchase_date,
            installments=installments,
        )
        await billing.schedules.add(schedule, created)


def _due_at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


async def bare_loop(db: Any, *, due_by: datetime, now: datetime, concurrency: int) -> int:
    """The floor of a debit run: the same claims, provider calls and writes as billing's, by hand.

    Each worker claims a due schedule (one conditional findAndModify taking a lease), charges its
    first pending installment through the provider's collection (a lookup by idempotency key, then
    the charge's insert), and writes the whole state back with the payment's event in the outbox
    and the lease cleared, if the lease still holds (one conditional update). No domain objects, no
    retry policy, no store layer: dictionaries in, dictionaries out."""
    schedules, charges = db[SCHEDULES], db["bare_provider_charges"]
    lease = {"owner": "bare-loop", "until": now + timedelta(minutes=5)}
    debited = 0

    async def worker() -> None:
        nonlocal debited
        while True:
            doc = await schedules.find_one_and_update(
                {
                    "$and": [
                        {"next_debit_at": {"$lte": due_by}},
                        {"$or": [{"lease": None}, {"lease.until": {"$lt": now}}]},
                    ]
                },
                {"$set": {"lease": lease}, "$inc": {"version": 1}},
                projection={"_outbox": 0},
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                return
            installments = doc["installments"]
            index = next(i for i, p in enumerate(installments) if p["status"] == "pending")
            payment = installments[index]
            key = f"{doc['_id']}:installment:{payment['number']}"
            charge = await charges.find_one({"_id": key})
            if charge is None:
                charge = {"_id": key, "token": doc["card"]["token"], "amount_cents": payment["amount_cents"]}
                await charges.insert_one({**charge, "succeeded": True, "reference": uuid.uuid4().hex[:20]})
            installments[index] = {**payment, "status": "paid", "attempts": 1, "paid_at": now}
            pending = [p for p in installments if p["status"] == "pending"]
            state = {k: v for k, v in doc.items() if k not in ("_id", "lease", "version")}
            state.update(installments=installments, next_debit_at=_due_at(pending[0]["due_date"]) if pending else None)
            event = {"payment_id": key, "schedule_id": doc["_id"], "amount_cents": payment["amount_cents"]}
            entry = {
                "id": uuid.uuid4().hex,
                "topic": "billing.payment-succeeded",
                "key": doc["_id"],
                "value": json.dumps({"type": "PaymentSucceeded", "occurred_at": now.isoformat(), "payload": event}),
                "headers": {},
                "created_at": now,
                "attempts": 0,
            }
            result = await schedules.update_one(
                {"_id": doc["_id"], "version": doc["version"], "lease.owner": lease["owner"]},
                {
                    "$set": {**state, "lease": None, "_outbox_pending": uuid.uuid4().hex},
                    "$inc": {"version": 1},
                    "$push": {"_outbox": {"$each": [entry]}},
                },
            )
            debited += result.matched_count

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return debited


async def bench_debits(
    stack: Stack, schedules: int = 500, installments: int = 2, concurrency: int = 8
) -> dict[str, Any]:
    """Billing's own debit-run path on the real Mongo server, against the bare loop (`bare_loop`)
    over a copy of the same schedules in the same run; events stay in the schedules' outbox
    (their relay to Kafka is what bench/bus.py measures)."""
    run = f"bench_billing_{uuid.uuid4().hex[:8]}"
    settings = BillingSettings(
        service_name=run,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        debit_scheduler_enabled=False,
        debit_run_concurrency=concurrency,
        log_level="WARNING",
    )
    clock = SettableClock(datetime(2026, 1, 5, 6, tzinfo=UTC))
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[run]
    try:
        await ensure_indexes(db, [*SCHEDULE_INDEXES, *outbox_indexes(SCHEDULES)])
        policy = retry_policy(settings)
        outbox = Outbox(clock)
        leases = Leases(
            db[SCHEDULES],
            owner=new_owner("bench-debits"),
            clock=clock,
            ttl=timedelta(seconds=settings.debit_lease_seconds),
        )
        billing = Billing(
            settings=settings,
            clock=clock,
            schedules=ScheduleStore(db, outbox, policy, leases),
            onboarding=OnboardingStore(db, outbox, settings.field_cipher),
            profiles=ProfileStore(db),
            companies=CompanyBankDetailsMongo(db, settings.field_cipher),
            rights=RightsView(db),
            provider=SimulatedProvider(db),
            policy=policy,
        )
        card = await billing.provider.tokenise("4242424242424242", 12, 2035, today=date(2026, 1, 5))
        await _seed(billing, schedules, installments, card, clock.at)
        due_by = clock.at + timedelta(days=30 * (installments - 1))
        bare_db = client[f"{run}_bare"]
        await ensure_indexes(bare_db, [*SCHEDULE_INDEXES, *outbox_indexes(SCHEDULES)])
        await bare_db[SCHEDULES].insert_many([doc async for doc in db[SCHEDULES].find({})])
        began = time.perf_counter()
        bare_debited = await bare_loop(bare_db, due_by=due_by, now=clock.at, concurrency=concurrency)
        bare_elapsed = time.perf_counter() - began
        began = time.perf_counter()
        report = await run_due_debits(billing, as_of=due_by)
        elapsed = time.perf_counter() - began
        charges = await db["provider_charges"].count_documents({})
        events = 0
        async for doc in db[SCHEDULES].find({}, {"_outbox": 1}):
            events += len(doc.get("_outbox", []))
    finally:
        await client.drop_database(run)
        # The local server's H2 store has failed a drop of the copy ("index to be empty"): figures first.
        with contextlib.suppress(OperationFailure):
            await client.drop_database(f"{run}_bare")
        await client.close()
    debited = report.debited
    assert debited == schedules * installments, (debited, schedules * installments)
    assert charges == debited  # every installment charged exactly once
    assert events == schedules + debited  # ScheduleCreated + one payment event per debit
    assert bare_debited == debited, (bare_debited, debited)
    rate, bare_rate = debited / elapsed, bare_debited / bare_elapsed
    return {
        "schedules": schedules,
        "installments": debited,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "installments_per_second": round(rate, 1),
        "double_charges": charges - debited,
        "bare_loop": {"seconds": round(bare_elapsed, 3), "installments_per_second": round(bare_rate, 1)},
        "to_bare_loop_ratio": round(rate / bare_rate, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":  # python -m bench.billing_debits (test profile's stack, already up)
    from devstack.config import StackConfig

    async def _all() -> list[dict[str, Any]]:
        stack = Stack(StackConfig.for_profile("bench"))
        return [await bench_debits(stack, concurrency=c) for c in (1, 8, 16)]

    print(json.dumps(asyncio.run(_all()), indent=2))
