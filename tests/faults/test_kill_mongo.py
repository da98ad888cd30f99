"""kill -9 of the MongoDB-wire server under load through the gateway: a few hundred
registrations of natural persons and activations by the mailed link, the server
killed in the middle and restarted through devstack, then everything reconciled
by counting in identity's and billing's stores and on the bus.

Requests that fail while the server is down are fine; what answered 2xx must hold.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from contracts import AccountActivated
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, activation_link, events_matching, mongo
from tests.faults.helpers import MailWatcher, converge, kill_and_restart, wait_ready

pytestmark = pytest.mark.e2e

PEOPLE = 150  # 150 registrations + up to 150 activations
CONCURRENCY = 8
KILL_AFTER_REGISTRATIONS = 40  # acknowledged before the kill: both streams are in full flow
KILL_AFTER_ACTIVATIONS = 15
CONVERGENCE_BUDGET = 60.0


def natural_person(email: str) -> dict[str, Any]:
    return {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": "natural",
        "civility": "mrs",
        "last_name": "Durand",
        "first_name": "Marie",
        "address": {"line": "12 rue de la Paix", "postal_code": "75002", "city": "Paris"},
    }


class Load:
    """Registrations then activations, recording what the gateway acknowledged."""

    def __init__(self, stack: Stack, http: httpx.AsyncClient, mails: MailWatcher) -> None:
        self.stack = stack
        self.http = http
        self.mails = mails
        self.run = uuid.uuid4().hex[:8]
        self.emails = [f"fault-mongo-{self.run}-{i}@example.fr" for i in range(PEOPLE)]
        self.registered: set[str] = set()  # answered 2xx
        self.activated: set[str] = set()  # answered 2xx
        self.failed: dict[str, int] = {}  # what answered otherwise, by kind (for the record)
        # Half the clients register, half activate: both streams run when the server dies.
        self.slots = {kind: asyncio.Semaphore(CONCURRENCY // 2) for kind in ("register", "activate")}

    def _failure(self, kind: str, answer: httpx.Response | Exception) -> None:
        code = answer.status_code if isinstance(answer, httpx.Response) else type(answer).__name__
        key = f"{kind} {code}"
        self.failed[key] = self.failed.get(key, 0) + 1

    async def _request(self, kind: str, method: str, url: str, **kwargs: Any) -> bool:
        async with self.slots[kind]:
            try:
                answer = await self.http.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                self._failure(kind, exc)
                return False
        if answer.is_success:
            return True
        self._failure(kind, answer)
        return False

    async def person(self, email: str) -> None:
        if not await self._request("register", "POST", "/api/identity/accounts", json=natural_person(email)):
            return
        self.registered.add(email)
        try:
            mail = await self.mails.wait_for(email, timeout=90)
        except TimeoutError:
            self.failed["no activation mail"] = self.failed.get("no activation mail", 0) + 1
            return  # the reconciliation still checks that the registration is stored
        if await self._request("activate", "GET", activation_link(mail.text)):
            self.activated.add(email)


async def test_no_acknowledged_write_is_lost_when_mongo_is_killed_under_load(
    running_services: Stack, record_property: Any
) -> None:
    stack = running_services
    client = mongo(stack)
    accounts = client["identity"]["accounts"]
    profiles = client["billing"]["profiles"]
    inbox = client["billing"]["inbox"]
    try:
        async with (
            httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http,
            MailWatcher(stack.mailbox) as mails,
        ):
            load = Load(stack, http, mails)
            people = [asyncio.create_task(load.person(email)) for email in load.emails]
            try:
                deadline = time.monotonic() + 180
                while len(load.registered) < KILL_AFTER_REGISTRATIONS or len(load.activated) < KILL_AFTER_ACTIVATIONS:
                    assert time.monotonic() < deadline, f"load did not get going: {load.failed}"
                    await asyncio.sleep(0.05)
                acknowledged_at_kill = (len(load.registered), len(load.activated))
                outage = await kill_and_restart(stack, "mongo")
                restarted = time.monotonic()
                await asyncio.gather(*people)
            finally:
                for person in people:
                    person.cancel()
        load_done = time.monotonic()

        emails = load.emails
        wanted = set(emails)

        async def reconcile() -> list[str]:
            problems: list[str] = []
            ours = {a["email"]: a async for a in accounts.find({"email": {"$in": emails}}, {"email": 1, "status": 1})}
            by_id = {a["_id"]: a for a in ours.values()}
            active_ids = {a["_id"] for a in ours.values() if a["status"] == "active"}
            problems += [f"registration answered 2xx, no account: {e}" for e in load.registered - ours.keys()]
            problems += [
                f"activation answered 2xx, account not active: {e}"
                for e in load.activated
                if ours.get(e, {}).get("status") != "active"
            ]
            events = await events_matching(stack, AccountActivated.topic, lambda e: e.payload.get("email") in wanted)
            event_ids: dict[str, set[str]] = {}
            for event in events:
                if event.subject not in by_id:
                    problems.append(f"AccountActivated {event.event_id} for an account that does not exist")
                else:
                    event_ids.setdefault(event.subject, set()).add(str(event.event_id))
            problems += [f"AccountActivated for an account not active: {s}" for s in event_ids.keys() - active_ids]
            problems += [f"{len(ids)} AccountActivated ids for {s}" for s, ids in event_ids.items() if len(ids) > 1]
            opened = {p["_id"]: p async for p in profiles.find({"email": {"$in": emails}}, {"opened_by_event": 1})}
            problems += [f"active creditor without a billing profile: {i}" for i in active_ids - opened.keys()]
            problems += [f"billing profile without an active account: {i}" for i in opened.keys() - active_ids]
            for account_id, profile in opened.items():
                if profile["opened_by_event"] not in event_ids.get(account_id, set()):
                    problems.append(f"profile {account_id} opened by {profile['opened_by_event']}, not its event")
            inbox_ids = [f"billing:{i}" for ids in event_ids.values() for i in ids]
            applied = {str(d["_id"]) async for d in inbox.find({"_id": {"$in": inbox_ids}}, {"_id": 1})}
            problems += [
                f"event {i} not recorded once in billing's inbox"
                for ids in event_ids.values()
                for i in ids
                if f"billing:{i}" not in applied
            ]
            return problems

        converged = await converge(reconcile, timeout=CONVERGENCE_BUDGET)
        seen = {
            "acknowledged at kill (registrations, activations)": acknowledged_at_kill,
            "registrations acknowledged": len(load.registered),
            "activations acknowledged": len(load.activated),
            "failed during the outage": load.failed,
            "mongo down (kill to ready), s": round(outage, 1),
            "load done after restart, s": round(load_done - restarted, 1),
            "converged after the load, s": round(converged, 1),
        }
        for name, value in seen.items():
            record_property(name, value)
        print(f"\nkill -9 of mongo under load: {seen}")
        # The load really was cut in two by the outage, and the bulk of it got through.
        assert len(load.registered) > acknowledged_at_kill[0]
        assert len(load.activated) > acknowledged_at_kill[1]
    finally:
        await client.close()
        # Leave the stack serving for the tests collected after this one.
        await wait_ready(stack)
