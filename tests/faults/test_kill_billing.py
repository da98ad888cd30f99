"""`kill -9` of billing in the middle of its debit run: a few hundred due
installments, the process killed while its scheduler debits them, restarted
through devstack; then reconciled by counting. Each installment is charged
exactly once at the provider, recorded once, and announced by one event
(`PaymentSucceeded` or `PaymentRejected`, by distinct event id); the dead
runner's claims are taken over by the restarted process's scheduler on its
own, once their leases lapse (`BILLING_DEBIT_LEASE_SECONDS`, 10 s), not after
the 120 s they used to take.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.events.billing import PaymentRejected, PaymentSucceeded
from devstack.stack import Stack
from tests.e2e.helpers import events_matching, eventually, merchant, mongo, order
from tests.faults.helpers import kill

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
GOOD, DECLINES = "4242424242424242", "4000000000000002"
SCHEDULES, DECLINING = 300, 30
KILL_AFTER_CHARGES = 40  # well into the run, well before its end
CONVERGED_WITHIN = 120.0  # bounds against hanging, not timed assertions
TAKEOVER_WITHIN = 60.0  # the dead runner's claims: about 10 s expected; 120 s lease + 60 s runs before


async def create_schedules(http: httpx.AsyncClient, auth: dict[str, str], email: str) -> dict[str, str]:
    """`SCHEDULES` one-installment schedules due today, `DECLINING` of them on a declining card:
    schedule id -> card kind."""
    created: dict[str, str] = {}
    gate = asyncio.Semaphore(8)

    async def one(n: int) -> None:
        card = DECLINES if n < DECLINING else GOOD
        body = order(email, card=card, amount=5000 + n, order_number=f"KILL-{uuid.uuid4().hex[:10]}", installments=1)
        async with gate:
            answer = await http.post("/api/billing/schedules", json=body, headers=auth)
        assert answer.status_code == 201, answer.text
        created[answer.json()["schedule_id"]] = "declines" if card == DECLINES else "good"

    await asyncio.gather(*(one(n) for n in range(SCHEDULES)))
    return created


async def test_billing_killed_mid_debit_run_charges_each_installment_once(
    running_services: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = running_services
    billing = stack.services["billing"]
    client = mongo(stack)
    db = client["billing"]
    try:
        # 1. The work, created while billing's scheduler is off, so no run starts too early.
        monkeypatch.setenv("BILLING_DEBIT_SCHEDULER_ENABLED", "false")
        await billing.stop_async()
        await billing.up_async()
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
            email, auth = await merchant(stack, http)  # only a merchant creates schedules
            kinds = await create_schedules(http, auth, email)
        ids = list(kinds)
        docs = [doc async for doc in db["schedules"].find({"_id": {"$in": ids}}, {"card.token": 1})]
        tokens = [doc["card"]["token"] for doc in docs]
        ours = {"token": {"$in": tokens}}
        assert await db["provider_charges"].count_documents(ours) == 0

        # 2. Billing starts with its scheduler on: its first run debits the lot; kill -9 in the middle.
        monkeypatch.delenv("BILLING_DEBIT_SCHEDULER_ENABLED")
        await billing.stop_async()
        starting = asyncio.create_task(billing.up_async())

        async def well_into_the_run() -> int:
            charged = await db["provider_charges"].count_documents(ours)
            return charged if charged >= KILL_AFTER_CHARGES else 0

        await eventually(well_into_the_run, timeout=180, interval=0.02)
        # SIGKILL through devstack, which also waits until the dead process's sockets are released
        # (its threads can hold them a moment after the leader died), so the restart below finds the
        # port free.
        await kill(stack, "billing")
        killed_at = time.monotonic()
        charged_at_kill = await db["provider_charges"].count_documents(ours)
        with contextlib.suppress(Exception):  # devstack says it died, if it was still starting
            await starting
        held = {"_id": {"$in": ids}, "lease.until": {"$gte": datetime.now(UTC)}}
        orphaned = [doc["_id"] async for doc in db["schedules"].find(held, {"_id": 1})]
        assert charged_at_kill < SCHEDULES, "the run ended before the kill: nothing was tested"

        # 3. Restart through devstack; its scheduler alone finishes the run and takes the dead runner's claims over.
        await billing.up_async()
        restarted_after = time.monotonic() - killed_at

        async def taken_over() -> bool:
            """The dead runner's claims are debited by the new process and their leases cleared."""
            done = {"_id": {"$in": orphaned}, "installments.0.status": {"$ne": "pending"}, "lease": None}
            return await db["schedules"].count_documents(done) == len(orphaned)

        await eventually(taken_over, timeout=TAKEOVER_WITHIN, interval=0.2)
        taken_over_after = time.monotonic() - killed_at

        async def converged() -> bool:
            pending = {"_id": {"$in": ids}, "$or": [{"installments.0.status": "pending"}, {"lease": {"$ne": None}}]}
            return await db["schedules"].count_documents(pending) == 0

        await eventually(converged, timeout=CONVERGED_WITHIN, interval=0.2)
        converged_after = time.monotonic() - killed_at

        # 4. Reconcile by counting. The provider: one charge per installment, under its key.
        charges = [doc async for doc in db["provider_charges"].find(ours, {"_id": 1, "succeeded": 1})]
        assert sorted(c["_id"] for c in charges) == sorted(f"{i}:installment:1:1" for i in ids)
        assert sum(1 for c in charges if not c["succeeded"]) == DECLINING
        # The state: each installment recorded once, by its one attempt.
        async for doc in db["schedules"].find({"_id": {"$in": ids}}, {"installments": 1}):
            (installment,) = doc["installments"]
            assert installment["attempts"] == 1, doc["_id"]
            assert installment["status"] == ("unpaid" if kinds[doc["_id"]] == "declines" else "paid"), doc["_id"]

        # The events: once the relay has emptied the outbox, one event id per payment.
        async def outbox_empty() -> bool:
            return await db["schedules"].count_documents({"_id": {"$in": ids}, "_outbox.0": {"$exists": True}}) == 0

        await eventually(outbox_empty, timeout=CONVERGED_WITHIN)
        wanted = set(ids)
        succeeded = await events_matching(stack, PaymentSucceeded.topic, lambda e: e.subject in wanted)
        rejected = await events_matching(stack, PaymentRejected.topic, lambda e: e.subject in wanted)
        per_payment = Counter(
            e.payload["payment_id"] for e in {e.event_id: e for e in [*succeeded, *rejected]}.values()
        )
        assert set(per_payment) == {f"{i}:installment:1:1" for i in ids}
        assert set(per_payment.values()) == {1}
        assert len({e.subject for e in rejected}) == DECLINING

        figures: dict[str, Any] = {
            "installments": SCHEDULES,
            "charged_at_kill": charged_at_kill,
            "claims_orphaned_by_the_kill": len(orphaned),
            "restarted_after_seconds": round(restarted_after, 1),
            "orphaned_claims_taken_over_after_seconds": round(taken_over_after, 1),
            "converged_after_seconds": round(converged_after, 1),
            "duplicate_deliveries": len(succeeded) + len(rejected) - len(per_payment),
        }
        print(f"kill -9 of billing mid debit run: {figures}")  # the report's figures (pytest -s)
    finally:
        monkeypatch.delenv("BILLING_DEBIT_SCHEDULER_ENABLED", raising=False)
        if not billing.is_running():
            await billing.up_async()
        await client.close()
