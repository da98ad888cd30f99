"""Gateway throughput: the same authenticated call made directly to billing and
through the gateway (token verified by both), in one run, interleaved."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bench.stats import drive
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, activation_link, legal_person, new_email


async def _token(stack: Stack) -> str:
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        (await http.post("/api/identity/accounts", json=legal_person(email))).raise_for_status()
        mail = await stack.mailbox.wait_for(email, timeout=30)
        (await http.get(activation_link(mail.text))).raise_for_status()
        login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        token: str = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(100):  # the profile opens once billing has consumed the activation
            if (await http.get("/api/billing/profiles/me", headers=headers)).status_code == 200:
                return token
            await asyncio.sleep(0.2)
    raise RuntimeError("billing never opened the profile")


async def _run(url: str, token: str, requests: int, concurrency: int) -> dict[str, Any]:
    async def get(http: httpx.AsyncClient, _: int) -> httpx.Response:
        return await http.get(url)

    headers = {"Authorization": f"Bearer {token}"}
    return await drive(get, requests=requests, concurrency=concurrency, headers=headers, timeout=30)


async def bench_gateway(stack: Stack, requests: int = 2000, concurrency: int = 16, rounds: int = 2) -> dict[str, Any]:
    token = await _token(stack)
    targets = {
        "direct": f"{stack.service_url('billing')}/profiles/me",
        "gateway": f"{stack.gateway_url}/api/billing/profiles/me",
    }
    for url in targets.values():  # warm-up: connections, JWKS caches
        await _run(url, token, 200, concurrency)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, url in targets.items():
            runs[name].append(await _run(url, token, requests, concurrency))
    best = {name: max(results, key=lambda r: r["rps"]) for name, results in runs.items()}
    return {
        "call": "GET billing /profiles/me with a bearer token",
        "concurrency": concurrency,
        "rounds": rounds,
        "direct": best["direct"],
        "gateway": best["gateway"],
        "gateway_to_direct_throughput_ratio": round(best["gateway"]["rps"] / best["direct"]["rps"], 3),
        "all_runs": runs,
    }
