"""Two instances of billing and of identity (`devstack up --instances billing=2,identity=2`),
under load through the gateway: the partitions of a consumer group are shared (both instances
consume), claimed work is shared and each unit is done by one (debits: leases; mail: the
courier's leadership), and no effect happens twice, counted in Mongo, the mailbox and Kafka.

Billing's debit scheduler runs every second on both instances while the schedules arrive, so
that both claim; the test puts the stack back to one instance of each when it ends.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from contracts.events.billing import PaymentRejected, PaymentSucceeded
from devstack.config import StackConfig
from devstack.stack import Stack
from tests.e2e.helpers import (
    activation_link,
    events_matching,
    legal_person,
    merchant,
    mongo,
    new_email,
    order,
)
from tests.polling import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
INSTANCES = {"billing": 2, "identity": 2}
REGISTRATIONS = 24
SCHEDULES = 80
CONVERGED_WITHIN = 180.0  # bounds against hanging, not timed assertions
RETRIES = 10
RETRIED: Counter[str] = Counter()


@pytest.fixture
async def scaled(running_services: Stack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    """The test stack with two instances of billing and identity, the gateway spreading over them."""
    stack = Stack(StackConfig.for_profile("test", instances=INSTANCES))
    monkeypatch.setenv("BILLING_DEBIT_RUN_INTERVAL_SECONDS", "1")
    try:
        for name in ("billing", "billing-2"):  # both schedulers with the short interval
            await stack.services[name].stop_async()
        await asyncio.gather(*(stack.services[n].up_async() for n in ("billing", "billing-2", "identity-2")))
        await asyncio.to_thread(stack.services["gateway"].restart)
        yield stack
    finally:
        monkeypatch.delenv("BILLING_DEBIT_RUN_INTERVAL_SECONDS")
        for name in ("gateway", "billing-2", "identity-2", "billing"):
            await stack.services[name].stop_async()
        running_services.start_services()  # one instance of each again, the gateway knowing only those


async def metric(stack: Stack, instance: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus counter's samples matching `labels`, read from one instance."""
    async with httpx.AsyncClient(timeout=30) as http:
        text = (await http.get(stack.services[instance].url + "/metrics")).text
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} ([0-9.e+]+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


async def polite(http: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
    """A call as a well-behaved client makes it: a 503 (Mongo stalled on this loaded machine) is
    retried after its Retry-After; any other answer is returned."""
    for _ in range(RETRIES):
        answer = await http.request(method, url, **options)
        if answer.status_code != 503:
            return answer
        RETRIED[url.split("?")[0]] += 1
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
    return answer


async def register_and_activate(stack: Stack, http: httpx.AsyncClient, email: str) -> None:
    answer = await polite(http, "POST", "/api/identity/accounts", json=legal_person(email))
    assert answer.status_code == 202, answer.text
    mail = await stack.mailbox.wait_for(email, timeout=60)
    assert (await http.get(activation_link(mail.text))).status_code == 200


async def test_two_instances_share_partitions_and_work_with_no_double_effect(scaled: Stack) -> None:
    stack = scaled
    client = mongo(stack)
    billing, identity = client["billing"], client["identity"]
    applied_before = {
        n: await metric(stack, n, "events_handled_total", outcome="applied") for n in ("billing", "billing-2")
    }
    try:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
            # 1. The load: registrations (identity, its courier, billing's consumers) and, at the
            # same time, schedules due today (billing, whose two schedulers claim their debits).
            emails = [new_email() for _ in range(REGISTRATIONS)]
            buyer, auth = await merchant(stack, http)
            gate = asyncio.Semaphore(4)

            numbers = [f"SCALE-{uuid.uuid4().hex[:10]}" for _ in range(SCHEDULES)]

            async def schedule(n: int) -> None:
                body = order(buyer, amount=3000 + n, order_number=numbers[n], installments=1)
                async with gate:
                    answer = await polite(http, "POST", "/api/billing/schedules", json=body, headers=auth)
                # 409: a retry of a creation whose first answer was lost (the order number is unique).
                assert answer.status_code in (201, 409), answer.text

            async def registration(email: str) -> None:
                async with gate:
                    await register_and_activate(stack, http, email)

            await asyncio.gather(*(schedule(n) for n in range(SCHEDULES)), *(registration(e) for e in emails))
        query = {"order.order_number": {"$in": numbers}}
        ids = [doc["_id"] async for doc in billing["schedules"].find(query, {"_id": 1})]
        assert len(ids) == SCHEDULES  # one schedule per order, retried or not

        # 2. Each schedule's installment debited once, whichever instance claimed it.
        async def debited() -> bool:
            pending = {"_id": {"$in": ids}, "$or": [{"installments.0.status": "pending"}, {"lease": {"$ne": None}}]}
            return await billing["schedules"].count_documents(pending) == 0

        await eventually(debited, timeout=CONVERGED_WITHIN, interval=0.2)
        charges = Counter[str]()
        async for doc in billing["provider_charges"].find({"_id": {"$in": [f"{i}:installment:1:1" for i in ids]}}):
            charges[doc["_id"]] += 1
        assert sorted(charges) == sorted(f"{i}:installment:1:1" for i in ids)
        async for doc in billing["schedules"].find({"_id": {"$in": ids}}, {"installments": 1}):
            assert doc["installments"][0]["attempts"] == 1, doc["_id"]
            assert doc["installments"][0]["status"] == "paid", doc["_id"]

        # Both schedulers ran debit runs that debited something (their log lines, this run only).
        runs = {
            n: re.findall(r"debit run: (\d+) debited", stack.services[n].process.log_tail(2000, current_run_only=True))
            for n in ("billing", "billing-2")
        }
        debited_by = {n: sum(int(x) for x in found) for n, found in runs.items()}
        assert all(count > 0 for count in debited_by.values()), debited_by
        assert sum(debited_by.values()) >= SCHEDULES

        # One event per payment (by event id; Kafka may carry an event twice, consumers dedupe).
        async def outbox_empty() -> bool:
            return (
                await billing["schedules"].count_documents({"_id": {"$in": ids}, "_outbox.0": {"$exists": True}}) == 0
            )

        await eventually(outbox_empty, timeout=CONVERGED_WITHIN)
        wanted = set(ids)
        events = [
            *await events_matching(stack, PaymentSucceeded.topic, lambda e: e.subject in wanted),
            *await events_matching(stack, PaymentRejected.topic, lambda e: e.subject in wanted),
        ]
        per_payment = Counter(e.payload["payment_id"] for e in {e.event_id: e for e in events}.values())
        assert set(per_payment.values()) == {1}
        assert len(per_payment) == SCHEDULES

        # 3. Identity: both instances took registrations; no mail was sent twice (its Message-ID is
        # its courier entry's id: the two couriers never both sent one), and billing opened one
        # profile for each account.
        for instance in ("identity", "identity-2"):
            assert await metric(stack, instance, "http_requests_total", method="POST", route="/accounts") > 0, instance
        mails = [mail for email in emails for mail in stack.mailbox.for_recipient(email)]
        sent = Counter(str(mail["Message-ID"]) for mail in mails)
        assert [mid for mid, n in sent.items() if n > 1] == []
        assert {email for email in emails if stack.mailbox.for_recipient(email)} == set(emails)
        accounts = [doc["_id"] async for doc in identity["accounts"].find({"email": {"$in": emails}}, {"_id": 1})]
        assert len(accounts) == REGISTRATIONS

        async def profiles_open() -> list[Any]:
            found = [doc async for doc in billing["profiles"].find({"_id": {"$in": accounts}}, {"_id": 1})]
            return found if len(found) == len(accounts) else []

        assert len(await eventually(profiles_open, timeout=CONVERGED_WITHIN)) == REGISTRATIONS

        # 4. The consumer group's partitions are shared: both billing instances applied events.
        applied = {
            n: await metric(stack, n, "events_handled_total", outcome="applied") - applied_before[n]
            for n in applied_before
        }
        assert all(count > 0 for count in applied.values()), applied
        print(f"scale-out: debited by {debited_by}, events applied by {applied}, 503s retried {dict(RETRIED)}")
    finally:
        await client.close()
