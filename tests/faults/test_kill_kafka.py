"""kill -9 of Kafka under load through the gateway, then reconcile by counting.

Registrations and activations go through the gateway while the broker is
SIGKILLed (no clean shutdown: unflushed log segments, log recovery at the next
start, producers and consumers cut mid-request). The API keeps answering (the
outbox holds the events), Kafka is started again, and then, counting in every
store and on the bus: every acknowledged write is there, every activated
member has exactly one billing profile opened by the one activation event of
its account, teams knows every activated account, 0 lost, 0 doubled, within a
bounded time. The convergence time is written to the profile's state
directory (`faults/kill-kafka.json`), not asserted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from contracts import AccountActivated
from devstack.stack import Stack
from tests.e2e.helpers import activation_link, events_matching, eventually, legal_person, mongo, new_email
from tests.faults.helpers import kill

pytestmark = pytest.mark.e2e

REGISTERED_BEFORE = 120  # registered, then activated across the kill
REGISTERED_DURING = 60  # registered while Kafka is down (activation not asked)
KILL_AFTER_ACTIVATIONS = 40
CONCURRENCY = 8
CONVERGENCE_BOUND_SECONDS = 240.0


# --- helpers of this module ---------------------------------------------------------


async def bounded(items: list[Any], action: Callable[[Any], Awaitable[Any]], limit: int = CONCURRENCY) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with gate:
            return await action(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def activation_links(stack: Stack, emails: list[str], timeout: float = 120) -> dict[str, str]:
    """Each address's activation link, scanning the mail directory once per round."""
    wanted, links = set(emails), dict[str, str]()
    deadline = time.monotonic() + timeout
    while wanted - set(links):
        for mail in stack.mailbox.messages():
            for recipient in set(mail.recipients) & wanted:
                if recipient not in links and "/activation#token=" in mail.text:
                    links[recipient] = activation_link(mail.text)
        assert time.monotonic() < deadline, f"{len(wanted - set(links))} activation mails missing"
        await asyncio.sleep(0.5)
    return links


# --- the test -----------------------------------------------------------------------


async def test_kill_9_of_kafka_under_load_loses_nothing_and_doubles_nothing(running_services: Stack) -> None:
    stack = running_services
    client = mongo(stack)
    accounts, profiles = client["identity"]["accounts"], client["billing"]["profiles"]
    teams_accounts = client["teams"]["accounts"]
    try:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:

            async def register(email: str) -> str | None:
                answer = await http.post("/api/identity/accounts", json=legal_person(email))
                return email if answer.status_code == 202 else None

            async def activate(link: str) -> bool:
                return (await http.get(link)).status_code == 200

            before = [new_email() for _ in range(REGISTERED_BEFORE)]
            registered = [e for e in await bounded(before, register) if e]
            links = await activation_links(stack, registered)

            done = asyncio.Event()
            activated: list[str] = []

            async def activate_and_count(email: str) -> None:
                if await activate(links[email]):
                    activated.append(email)
                    if len(activated) >= KILL_AFTER_ACTIVATIONS:
                        done.set()

            load = asyncio.create_task(bounded(registered, activate_and_count))
            await asyncio.wait_for(done.wait(), timeout=180)
            killed = stack.kafka.process.pid()
            await kill(stack, "kafka")
            during = [new_email() for _ in range(REGISTERED_DURING)]
            try:
                registered_during = [e for e in await bounded(during, register) if e]
                await load
            finally:
                restart_began = time.monotonic()
                await stack.kafka.up_async()
                kafka_back = time.monotonic()

        # Every acknowledged write is stored: the API answered while the broker was dead.
        assert len(registered) == REGISTERED_BEFORE
        assert len(registered_during) == REGISTERED_DURING
        assert len(activated) == REGISTERED_BEFORE
        stored = {a["email"]: a async for a in accounts.find({"email": {"$in": registered + registered_during}})}
        assert set(stored) == set(registered + registered_during)
        assert all(stored[e]["status"] == "active" for e in activated)
        assert not [e for e in registered_during if stored[e]["status"] == "active"]
        active_ids = sorted(stored[e]["_id"] for e in activated)
        idle_ids = sorted(stored[e]["_id"] for e in registered_during)

        async def converged() -> bool:
            outbox_left = await accounts.count_documents(
                {"_id": {"$in": active_ids + idle_ids}, "_outbox.0": {"$exists": True}}
            )
            opened = await profiles.count_documents({"_id": {"$in": active_ids}})
            known = await teams_accounts.count_documents({"_id": {"$in": active_ids}})
            return outbox_left == 0 and opened == len(active_ids) and known == len(active_ids)

        await eventually(converged, timeout=CONVERGENCE_BOUND_SECONDS, interval=0.5)
        converged_after = time.monotonic() - kafka_back

        # Exactly one effect per event id: one activation event per account (however
        # often it was published), one profile per account, opened by that event.
        wanted = set(active_ids)
        published = await events_matching(stack, AccountActivated.topic, lambda e: e.subject in wanted)
        ids_by_account: dict[str, set[str]] = {}
        for envelope in published:
            ids_by_account.setdefault(envelope.subject, set()).add(str(envelope.event_id))
        assert set(ids_by_account) == wanted
        assert all(len(ids) == 1 for ids in ids_by_account.values()), "an account was activated twice"
        opened = {p["_id"]: p async for p in profiles.find({"_id": {"$in": active_ids}})}
        assert len(opened) == len(active_ids)
        for account_id, profile in opened.items():
            assert profile.get("opened_by_event") in ids_by_account[account_id]
        assert await profiles.count_documents({"_id": {"$in": idle_ids}}) == 0  # never activated
        assert await teams_accounts.count_documents({"_id": {"$in": active_ids}}) == len(active_ids)

        figures = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "killed_pid": killed,
            "operations": len(registered) + len(activated) + len(registered_during),
            "activated": len(active_ids),
            "activation_events_published": len(published),
            "kafka_restart_seconds": round(kafka_back - restart_began, 1),
            "converged_after_kafka_back_seconds": round(converged_after, 1),
            "lost": 0,
            "doubled": 0,
        }
        path = stack.config.state_dir / "faults" / "kill-kafka.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"kill -9 of Kafka: {figures}")
    finally:
        if not stack.kafka.is_running():
            await stack.kafka.up_async()  # leave the stack healthy
        await client.close()
