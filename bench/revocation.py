"""How long a logged-out session's access token keeps working at the gateway.

One account opens `sessions` logins; each is then logged out (`POST
/sessions/logout` with its refresh token) and its access token is sent to
`GET /api/identity/accounts/me` through the gateway, again and again, until it
gets 401. The delay is timed from the moment the logout is sent until the first
401. The path measured: identity writes SessionsRevoked in the account's outbox
-> relay -> Kafka -> the gateway's revocation feed (group-less consumer) -> its
in-memory list. Baseline in the same run: the logout's own response time.

    bench_revocation(stack) -> {"sessions": N, "refusal_delay": {p50_ms, p99_ms, ...}, ...}
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from bench.stats import latency_summary
from devstack.stack import Stack
from tests.e2e.helpers import activation_link

PASSWORD = "Correct-Horse-9!"
ADDRESS = {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"}
POLL_SECONDS = 0.005
API = "/api/identity"


async def _account(stack: Stack, http: httpx.AsyncClient) -> str:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.fr"
    form = {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": "natural",
        "civility": "mr",
        "last_name": "Bench",
        "first_name": "Paul",
        "address": ADDRESS,
    }
    assert (await http.post(f"{API}/accounts", json=form)).status_code == 202
    mail = await stack.mailbox.wait_for(email, timeout=60)
    # The mail links to the portal's page, which activates through this API route.
    assert (await http.get(activation_link(mail.text))).status_code == 200
    return email


async def bench_revocation(stack: Stack, sessions: int = 100) -> dict[str, Any]:
    delays: list[float] = []
    logouts: list[float] = []
    polls = 0
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        email = await _account(stack, http)
        for _ in range(sessions):
            login = await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
            assert login.status_code == 200, login.text
            tokens = login.json()
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            assert (await http.get(f"{API}/accounts/me", headers=headers)).status_code == 200
            began = time.perf_counter()
            logout = await http.post(f"{API}/sessions/logout", json={"refresh_token": tokens["refresh_token"]})
            logouts.append(time.perf_counter() - began)
            assert logout.status_code == 204, logout.text
            while (await http.get(f"{API}/accounts/me", headers=headers)).status_code != 401:
                polls += 1
                if time.perf_counter() - began > 60:
                    raise RuntimeError("a logged-out session was still accepted after 60 s")
                await asyncio.sleep(POLL_SECONDS)
            delays.append(time.perf_counter() - began)
    return {
        "sessions": sessions,
        "refusal_delay": latency_summary(delays),
        "max_ms": round(max(delays) * 1000, 3),
        "logout_response": latency_summary(logouts),
        "poll_interval_ms": POLL_SECONDS * 1000,
        "polls": polls,
    }
