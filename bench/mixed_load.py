"""A steady mixed load through the gateway (issue 14, item 5): the bench's own async driver.

Registrations, logins, schedule creations, card changes, rights changes and reads, started
at a fixed rate (open loop: a call starts on time whether or not the previous ones have
answered) for `--duration` seconds, in a fixed mix (`MIX`). Every call has one expected
status; anything else (another status, a transport error, a timeout) is an error and is
listed with its route and body. Reported per route: count, p50, p99, errors; and the rate
actually started, the error rate (must be 0) and the load average before and after.

    python -m bench.mixed_load [--duration 300] [--rate 8] [--profile bench]   # alone
    bench_mixed_load(stack, duration=..., rate=...)                            # from python -m bench

Set-up (not measured): one merchant (onboarded creditor), one buyer account with a pool of
schedules whose cards the load changes (one change at a time per schedule), one company
space with members whose rights the load changes (one change at a time per member).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.stats import latency_summary, write_result
from bench.teams_rights import _member
from devstack.config import StackConfig
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, activated_creditor, legal_person, merchant, new_email, order

# Relative weights of the calls in the mix (per 20 calls).
MIX: dict[str, int] = {
    "register": 1,
    "login": 2,
    "create_schedule": 2,
    "change_card": 2,
    "change_rights": 2,
    "read_account": 4,
    "read_profile": 3,
    "read_schedule": 4,
}
CARDS = ("4242424242424242", "5555555555554444")
SCHEDULE_POOL = 12
MEMBERS = 2
TIMEOUT = 60.0


@dataclass
class Route:
    name: str
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class World:
    """What the set-up made: who calls, on what."""

    merchant: dict[str, str]
    buyer_email: str
    buyer: dict[str, str]
    schedules: asyncio.Queue[str]
    members: asyncio.Queue[tuple[str, str, dict[str, str], int]]  # siren, member id, admin headers, n
    created: list[str] = field(default_factory=list)


async def _setup(stack: Stack, http: httpx.AsyncClient) -> World:
    _, merchant_auth = await merchant(stack, http)
    buyer_email, buyer_auth = await activated_creditor(stack, http)
    schedules: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(SCHEDULE_POOL):
        answer = await http.post("/api/billing/schedules", json=order(buyer_email), headers=merchant_auth)
        assert answer.status_code == 201, answer.text
        schedules.put_nowait(answer.json()["schedule_id"])
    await _first_installments_debited(stack, list(schedules._queue))  # type: ignore[attr-defined]
    members: asyncio.Queue[tuple[str, str, dict[str, str], int]] = asyncio.Queue()
    for _ in range(MEMBERS):
        siren, member_id, admin = await _member(stack, http)
        members.put_nowait((siren, member_id, admin, 0))
    return World(merchant_auth, buyer_email, buyer_auth, schedules, members)


async def _first_installments_debited(stack: Stack, ids: list[str], timeout: float = 300.0) -> None:
    """A card can be changed until 7 days before the next debit: the pool's schedules are used
    once their first installment, due today, has been debited by billing's scheduler."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    try:
        deadline = time.monotonic() + timeout
        pending = {"_id": {"$in": ids}, "installments.0.status": "pending"}
        while await client["billing"]["schedules"].count_documents(pending):
            if time.monotonic() > deadline:
                raise RuntimeError("billing's scheduler did not debit the pool's first installments")
            await asyncio.sleep(1.0)
    finally:
        await client.close()


def _calls(world: World) -> dict[str, Callable[[httpx.AsyncClient], Awaitable[tuple[httpx.Response, int]]]]:
    """Each route's call: (response, the status it must have)."""

    async def register(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        return await http.post("/api/identity/accounts", json=legal_person(new_email())), 202

    async def login(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        body = {"email": world.buyer_email, "password": PASSWORD}
        return await http.post("/api/identity/sessions", json=body), 200

    async def create_schedule(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        body = order(world.buyer_email, order_number=f"LOAD-{uuid.uuid4().hex[:10]}")
        answer = await http.post("/api/billing/schedules", json=body, headers=world.merchant)
        if answer.status_code == 201:
            world.created.append(answer.json()["schedule_id"])
        return answer, 201

    async def change_card(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        schedule_id = await world.schedules.get()  # one change at a time per schedule
        try:
            card = {"number": random.choice(CARDS), "expiry_month": 12, "expiry_year": 2035}
            return await http.put(f"/api/billing/schedules/{schedule_id}/card", json=card, headers=world.buyer), 200
        finally:
            world.schedules.put_nowait(schedule_id)

    async def change_rights(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        siren, member_id, admin, n = await world.members.get()  # one change at a time per member
        try:
            rights = ["view_financial_documents"] + (["change_bank_details"] if n % 2 == 0 else [])
            url = f"/api/teams/companies/{siren}/members/{member_id}/rights"
            return await http.put(url, json={"rights": rights}, headers=admin), 200
        finally:
            world.members.put_nowait((siren, member_id, admin, n + 1))

    async def read_account(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        return await http.get("/api/identity/accounts/me", headers=world.buyer), 200

    async def read_profile(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        return await http.get("/api/billing/profiles/me", headers=world.merchant), 200

    async def read_schedule(http: httpx.AsyncClient) -> tuple[httpx.Response, int]:
        schedule_id = random.choice(world.created) if world.created else world.schedules._queue[0]  # type: ignore[attr-defined]
        return await http.get(f"/api/billing/schedules/{schedule_id}", headers=world.merchant), 200

    return {
        "register": register,
        "login": login,
        "create_schedule": create_schedule,
        "change_card": change_card,
        "change_rights": change_rights,
        "read_account": read_account,
        "read_profile": read_profile,
        "read_schedule": read_schedule,
    }


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def _refresh_tokens(http: httpx.AsyncClient, world: World, every: float) -> None:
    """Access tokens expire: the load's callers log in again now and then (not measured)."""
    while True:
        await asyncio.sleep(every)
        login = await http.post("/api/identity/sessions", json={"email": world.buyer_email, "password": PASSWORD})
        if login.status_code == 200:
            world.buyer["Authorization"] = f"Bearer {login.json()['access_token']}"


async def bench_mixed_load(stack: Stack, *, duration: float = 300.0, rate: float = 8.0) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=TIMEOUT, limits=limits) as http:
        world = await _setup(stack, http)
        calls = _calls(world)
        routes = {name: Route(name) for name in MIX}
        # A shuffled deck of the mix, dealt again and again: the proportions hold over every 20 calls.
        deck = [name for name, weight in MIX.items() for _ in range(weight)]

        async def one(name: str) -> None:
            route = routes[name]
            began = time.perf_counter()
            try:
                answer, expected = await calls[name](http)
            except (httpx.HTTPError, AssertionError) as error:
                route.errors.append(f"{type(error).__name__}: {error}")
                return
            route.seconds.append(time.perf_counter() - began)
            if answer.status_code != expected:
                route.errors.append(f"{answer.status_code} (expected {expected}): {answer.text[:300]}")

        load_before = _load_average()
        tasks: list[asyncio.Task[None]] = []
        refresher = asyncio.create_task(_refresh_tokens(http, world, every=600))
        started = time.perf_counter()
        total = int(duration * rate)
        dealt = itertools.chain.from_iterable(random.sample(deck, len(deck)) for _ in itertools.count())
        late = 0.0
        for n, name in zip(range(total), dealt, strict=False):
            due = started + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                late = max(late, -wait)
            tasks.append(asyncio.create_task(one(name)))
        sent_for = time.perf_counter() - started
        await asyncio.gather(*tasks)
        refresher.cancel()
        load_after = _load_average()
    errors = {name: route.errors for name, route in routes.items() if route.errors}
    answered = sum(len(route.seconds) for route in routes.values())
    error_count = sum(len(e) for e in errors.values())
    return {
        "duration_s": duration,
        "target_rate_per_s": rate,
        "started_rate_per_s": round(total / sent_for, 2) if sent_for else 0.0,
        "latest_start_s": round(late, 3),
        "requests": total,
        "answered": answered,
        "errors": error_count,
        "error_rate": round(error_count / total, 6) if total else 0.0,
        "mix": MIX,
        "routes": {
            name: {"count": len(route.seconds) + len(route.errors), "errors": len(route.errors)}
            | latency_summary(route.seconds)
            for name, route in routes.items()
        },
        "error_list": {name: errs[:20] for name, errs in errors.items()},
        "load_average_before": load_before,
        "load_average_after": load_after,
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default 300)")
    parser.add_argument("--rate", type=float, default=8.0, help="calls started per second (default 8)")
    parser.add_argument("--profile", default="bench", help="the stack to load (default bench)")
    return parser.parse_args()


async def _main() -> None:
    args = _arguments()
    stack = Stack(StackConfig.for_profile(args.profile))
    stack.start_infra()
    stack.start_services()
    figures = await bench_mixed_load(stack, duration=args.duration, rate=args.rate)
    write_result("mixed_load", figures)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(_main())
