"""Small helpers to turn timings into the figures we write down."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(seconds, 50) * 1000, 3),
        "p99_ms": round(percentile(seconds, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 3) if seconds else float("nan"),
    }


async def drive(
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    requests: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    keep_latencies: bool = False,
) -> dict[str, Any]:
    """Make `requests` calls with `concurrency` workers on pooled connections;
    `send(http, n)` makes call number n. Throughput, statuses and latencies
    (each one too, under `latencies`, with `keep_latencies`)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, headers=headers) as http:
        queue = iter(range(requests))

        async def worker() -> None:
            for n in queue:
                started = time.perf_counter()
                answer = await send(http, n)
                latencies.append(time.perf_counter() - started)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {
        "requests": requests,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "rps": round(requests / elapsed, 1),
        "statuses": statuses,
        **latency_summary(latencies),
        **({"latencies": latencies} if keep_latencies else {}),
    }


RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    """What a figure was measured on, and how busy the machine was at the time."""
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],  # other sessions may share these cores
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, figures: dict[str, Any], when: str | None = None) -> None:
    """`results/<name>.json`: the figures with when and on what they were measured (a benchmark run
    alone writes the same file `python -m bench` does, so the table picks it up)."""
    RESULTS.mkdir(exist_ok=True)
    when = when or datetime.now(UTC).isoformat(timespec="seconds")
    (RESULTS / f"{name}.json").write_text(json.dumps({"when": when, "machine": machine(), **figures}, indent=2) + "\n")
