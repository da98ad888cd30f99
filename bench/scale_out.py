"""One instance against two of billing and identity (issue 14, item 4), in the same run.

The same calls through the gateway with one instance of each, then with two
(`StackConfig(instances=...)`, the gateway restarted to spread over them):
`GET /api/billing/profiles/me` (token verified by billing) at 16 concurrent, and
logins (`POST /api/identity/sessions`, an argon2 verification each) at 4 concurrent.
Every answer must be 200: the others are counted as errors. On 2 cores shared with
other work the gain is small or none; the figure and the absence of errors are the point
(correctness under two instances is proven by tests/faults/test_scale_out.py).

    bench_scale_out(stack) -> {"one": {...}, "two": {...}, "two_to_one": {...}}
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

from bench.gateway import _token
from bench.stats import drive
from devstack.config import StackConfig
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD

INSTANCES = {"billing": 2, "identity": 2}
EXTRA = ("billing-2", "identity-2")


async def _email_of(stack: Stack, token: str) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        me = await http.get("/api/identity/accounts/me", headers={"Authorization": f"Bearer {token}"})
        return str(me.json()["email"])


async def _measure(stack: Stack, token: str, email: str, reads: int, logins: int) -> dict[str, Any]:
    base = stack.gateway_url

    async def read(http: httpx.AsyncClient, _: int) -> httpx.Response:
        return await http.get(f"{base}/api/billing/profiles/me")

    async def login(http: httpx.AsyncClient, _: int) -> httpx.Response:
        return await http.post(f"{base}/api/identity/sessions", json={"email": email, "password": PASSWORD})

    auth = {"Authorization": f"Bearer {token}"}
    await drive(read, requests=100, concurrency=16, headers=auth)  # warm-up: pools, JWKS caches
    runs = {
        "reads": await drive(read, requests=reads, concurrency=16, headers=auth),
        "logins": await drive(login, requests=logins, concurrency=4),
    }
    for run in runs.values():
        run["errors"] = sum(n for status, n in run["statuses"].items() if status != 200)
    return {**runs, "load_average": [round(x, 2) for x in os.getloadavg()]}


async def bench_scale_out(stack: Stack, reads: int = 1000, logins: int = 60) -> dict[str, Any]:
    token = await _token(stack)
    email = await _email_of(stack, token)
    one = await _measure(stack, token, email, reads, logins)
    scaled = Stack(StackConfig.for_profile(stack.config.profile, instances=INSTANCES))
    try:
        await asyncio.gather(*(scaled.services[name].up_async() for name in EXTRA))
        await asyncio.to_thread(scaled.services["gateway"].restart)
        two = await _measure(scaled, token, email, reads, logins)
    finally:
        for name in ("gateway", *EXTRA):
            await scaled.services[name].stop_async()
        await asyncio.to_thread(stack.start_services)  # one of each again
    return {
        "instances": INSTANCES,
        "cpus": os.cpu_count(),
        "one": one,
        "two": two,
        "two_to_one": {
            "reads_rps": round(two["reads"]["rps"] / one["reads"]["rps"], 3),
            "logins_rps": round(two["logins"]["rps"] / one["logins"]["rps"], 3),
        },
        "errors": one["reads"]["errors"] + one["logins"]["errors"] + two["reads"]["errors"] + two["logins"]["errors"],
    }
