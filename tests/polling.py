"""Polling for tests that wait on another process (a consumer, a relay, a service): a bound against
hanging, never a timed assertion."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 30, interval: float = 0.2) -> T:
    """Polls an async probe until it returns something truthy (None, False, empty: not yet), and returns it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
