"""Resident memory of every service process (issue 14, item 6): idle, and after the mixed load.

Read from /proc/<pid>/status of each process devstack started (VmRSS: resident now;
VmHWM: the peak since it started). The limit is 150 MB a service.

    snapshot(stack) -> {"identity": {"pid": ..., "rss_mb": ..., "peak_rss_mb": ...}, ...}
    python -m bench.memory [--profile bench]      # a snapshot of a running stack
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from devstack.config import StackConfig
from devstack.stack import Stack

LIMIT_MB = 150.0


def _status(pid: int) -> dict[str, float]:
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)  # kB -> MB
    return fields


def snapshot(stack: Stack) -> dict[str, dict[str, Any]]:
    """The memory of each running service process (every instance), by its component name."""
    figures: dict[str, dict[str, Any]] = {}
    for name, service in stack.services.items():
        pid = service.process.pid()
        if pid is None:
            continue
        status = _status(pid)
        figures[name] = {"pid": pid, "rss_mb": status["VmRSS"], "peak_rss_mb": status["VmHWM"]}
    return figures


def bench_memory(idle: dict[str, dict[str, Any]], after_load: dict[str, dict[str, Any]]) -> dict[str, Any]:
    heaviest = max((figures["rss_mb"] for figures in [*idle.values(), *after_load.values()]), default=0.0)
    return {
        "limit_mb": LIMIT_MB,
        "idle": idle,
        "after_mixed_load": after_load,
        "heaviest_rss_mb": heaviest,
        "within_limit": heaviest <= LIMIT_MB,
        "over_limit": sorted(
            {name for state in (idle, after_load) for name, f in state.items() if f["rss_mb"] > LIMIT_MB}
        ),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--profile", default="bench")
    args = parser.parse_args()
    print(json.dumps(snapshot(Stack(StackConfig.for_profile(args.profile))), indent=2))
