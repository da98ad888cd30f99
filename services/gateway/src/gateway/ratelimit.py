"""Per-client token buckets, in memory.

Each client key (verified caller id, else client IP) owns a bucket holding at
most `burst` tokens and refilled at `per_minute / 60` tokens a second; a
request takes one token or is refused with the time until one is available.

Buckets live in this process only: N gateway replicas allow up to N times the
configured rate to a client whose requests are spread over all of them. Put a
shared limiter (e.g. in the load balancer) in front when that matters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_seconds: float = 60.0,
    ) -> None:
        if per_minute < 0 or burst < 1:
            raise ValueError("per_minute must be >= 0 and burst >= 1")
        self.enabled = per_minute > 0
        self._rate = per_minute / 60.0  # tokens per second
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._sweep_seconds = sweep_seconds
        self._swept_at = clock()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, else seconds until a token is available."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        self._sweep(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self._burst, updated=now)
        else:
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate

    def _sweep(self, now: float) -> None:
        # A bucket idle long enough to be full again is the same as no bucket: drop it,
        # so memory is bounded by the clients seen in the last few minutes.
        if now - self._swept_at < self._sweep_seconds:
            return
        self._swept_at = now
        refill_seconds = self._burst / self._rate
        idle = [key for key, bucket in self._buckets.items() if now - bucket.updated >= refill_seconds]
        for key in idle:
            del self._buckets[key]


def retry_after_header(wait_seconds: float) -> str:
    """Retry-After is whole seconds; round up so a client that obeys it succeeds."""
    return str(max(1, math.ceil(wait_seconds)))
