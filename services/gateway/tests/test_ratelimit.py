"""Token buckets per client: by verified caller when there is a token, else by client address."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.ratelimit import TokenBucketLimiter, retry_after_header


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # buckets are per key
    clock.now += 0.5
    assert limiter.acquire("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(4)][-1] > 0  # never more than the burst


def test_idle_buckets_are_dropped() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=60, burst=2, clock=clock, sweep_seconds=10)
    for key in ("a", "b", "c"):
        limiter.acquire(key)
    assert len(limiter) == 3
    clock.now += 11
    limiter.acquire("d")
    assert len(limiter) == 1


def test_zero_rate_disables_limiting() -> None:
    limiter = TokenBucketLimiter(per_minute=0, burst=1)
    assert all(limiter.acquire("a") == 0.0 for _ in range(100))


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(1.0) == "1"
    assert retry_after_header(1.2) == "2"


async def test_client_over_its_burst_gets_429_with_retry_after(gateway: Any) -> None:
    async with gateway(rate_limit_burst=3, rate_limit_per_minute=6) as gw:
        statuses = [(await gw.client.get("/api/billing/echo/x")).status_code for _ in range(3)]
        refused = await gw.client.get("/api/billing/echo/x")
        other = gw.from_ip("198.51.100.7")
        async with other:
            other_ip = await other.get("/api/billing/echo/x")
        # Operations endpoints are never limited.
        health = [(await gw.client.get(path)).status_code for path in ("/health", "/metrics", "/openapi.json")]

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) == 10  # one token every 10 s
    assert other_ip.status_code == 200
    assert health == [200, 200, 200]


async def test_callers_with_tokens_have_their_own_buckets(gateway: Any, upstream_state: Any) -> None:
    alice = {"authorization": f"Bearer {upstream_state.token('alice')}"}
    bob = {"authorization": f"Bearer {upstream_state.token('bob')}"}
    async with gateway(rate_limit_burst=2, rate_limit_per_minute=60) as gw:
        first = [(await gw.client.get("/api/billing/echo/x", headers=alice)).status_code for _ in range(3)]
        # Same address, other caller: not affected by alice's use.
        second = [(await gw.client.get("/api/billing/echo/x", headers=bob)).status_code for _ in range(2)]
        anonymous = (await gw.client.get("/api/billing/echo/x")).status_code
    assert first == [200, 200, 429]
    assert second == [200, 200]
    assert anonymous == 200


async def test_failed_token_checks_spend_the_address_bucket(gateway: Any, upstream_state: Any) -> None:
    bad = {"authorization": f"Bearer {upstream_state.token(expires_in=-60)}"}
    async with gateway(rate_limit_burst=2, rate_limit_per_minute=60) as gw:
        statuses = [(await gw.client.get("/api/billing/echo/x", headers=bad)).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
