"""Login latency through the gateway (`POST /api/identity/sessions`: argon2id
verification, lockout bookkeeping, JWT signing, refresh token stored), with
two baselines from the same run: the same login straight to identity, and one
argon2id verification in-process with the configured parameters and with
argon2-cffi's defaults (RFC 9106 low-memory profile), to show what the
parameters cost on this machine."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from argon2 import PasswordHasher

from bench.stats import drive, latency_summary
from devstack.stack import Stack
from identity.settings import IdentitySettings
from tests.e2e.helpers import PASSWORD, activation_link, legal_person, new_email


async def _accounts(stack: Stack, count: int) -> list[str]:
    """Activated accounts (several, so the per-account bookkeeping is not one hot document)."""
    emails = [new_email() for _ in range(count)]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        for email in emails:
            (await http.post("/api/identity/accounts", json=legal_person(email))).raise_for_status()
        for email in emails:
            mail = await stack.mailbox.wait_for(email, timeout=30)
            (await http.get(activation_link(mail.text))).raise_for_status()
    return emails


async def _logins(url: str, emails: list[str], requests: int, concurrency: int) -> dict[str, Any]:
    async def log_in(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post(url, json={"email": emails[n % len(emails)], "password": PASSWORD})

    return await drive(log_in, requests=requests, concurrency=concurrency)


def _argon2_verify_ms(hasher: PasswordHasher, rounds: int = 20) -> dict[str, Any]:
    stored = hasher.hash(PASSWORD)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.verify(stored, PASSWORD)
        timings.append(time.perf_counter() - started)
    return {
        "time_cost": hasher.time_cost,
        "memory_kib": hasher.memory_cost,
        "parallelism": hasher.parallelism,
        **latency_summary(timings),
    }


async def bench_login(stack: Stack, requests: int = 300, rounds: int = 2) -> dict[str, Any]:
    emails = await _accounts(stack, 8)
    targets = {
        "gateway": f"{stack.gateway_url}/api/identity/sessions",
        "direct": f"{stack.service_url('identity')}/sessions",
    }
    for url in targets.values():  # warm-up: connections, key caches
        await _logins(url, emails, 20, 4)
    runs: dict[str, list[dict[str, Any]]] = {f"{name}_c{c}": [] for name in targets for c in (1, 4)}
    for _ in range(rounds):
        for name, url in targets.items():
            for concurrency in (1, 4):
                runs[f"{name}_c{concurrency}"].append(await _logins(url, emails, requests, concurrency))
    best = {name: min(results, key=lambda r: r["p50_ms"]) for name, results in runs.items()}
    settings = IdentitySettings()
    configured = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    return {
        "call": "POST /api/identity/sessions (email + password -> access JWT + refresh token)",
        "rounds": rounds,
        "gateway": best["gateway_c1"],
        "gateway_concurrent": best["gateway_c4"],
        "direct": best["direct_c1"],
        "direct_concurrent": best["direct_c4"],
        "argon2_verify_configured": await asyncio.to_thread(_argon2_verify_ms, configured),
        "argon2_verify_rfc9106_low_memory": await asyncio.to_thread(_argon2_verify_ms, PasswordHasher()),
        "all_runs": runs,
    }


if __name__ == "__main__":
    # Runs on an already started test-profile stack (the bench runner starts it
    # with the gateway's rate limit lifted); prints the figures.
    import json

    from devstack.config import StackConfig

    print(json.dumps(asyncio.run(bench_login(Stack(StackConfig.for_profile("bench")))), indent=2))
