"""Debit-run throughput: installments debited per second by billing's durable
debit run (claim by conditional findAndModify -> simulated provider charge,
idempotent by key -> state and PaymentSucceeded written in one document update),
on the test stack's real Mongo server.

    bench_debits(stack) -> {"installments": N, "installments_per_second": ..., ...}
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from billing.domain.cards import CardOnFile
from billing.domain.schedules import Order, create_schedule
from billing.handlers.debits import retry_policy, run_due_debits
from billing.payments.provider import SimulatedProvider
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


async def bench_debits(
    stack: Stack, schedules: int = 500, installments: int = 2, concurrency: int = 8
) -> dict[str, Any]:
    """Billing's own debit-run path on the real Mongo server; events stay in the
    schedules' outbox (their relay to Kafka is what bench/bus.py measures)."""
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
        began = time.perf_counter()
        report = await run_due_debits(billing, as_of=clock.at + timedelta(days=30 * (installments - 1)))
        elapsed = time.perf_counter() - began
        charges = await db["provider_charges"].count_documents({})
        events = 0
        async for doc in db[SCHEDULES].find({}, {"_outbox": 1}):
            events += len(doc.get("_outbox", []))
    finally:
        await client.drop_database(run)
        await client.close()
    debited = report.debited
    assert debited == schedules * installments, (debited, schedules * installments)
    assert charges == debited  # every installment charged exactly once
    assert events == schedules + debited  # ScheduleCreated + one payment event per debit
    return {
        "schedules": schedules,
        "installments": debited,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "installments_per_second": round(debited / elapsed, 1),
        "double_charges": charges - debited,
    }


if __name__ == "__main__":  # python -m bench.billing_debits (test profile's stack, already up)
    import asyncio
    import json

    from devstack.config import StackConfig

    async def _all() -> list[dict[str, Any]]:
        stack = Stack(StackConfig.for_profile("bench"))
        return [await bench_debits(stack, concurrency=c) for c in (1, 8, 16)]

    print(json.dumps(asyncio.run(_all()), indent=2))
