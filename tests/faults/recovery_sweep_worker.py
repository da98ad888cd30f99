"""A recovery deadline sweeper in its own process, for the fault test to SIGKILL mid-sweep:
    python -m tests.faults.recovery_sweep_worker MONGO_URL DB NOW_ISO OWNER
It sweeps until nothing is due, each transition a lease claim and a fenced save (as the service)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.recovery_sweep import _Clock, _ports
from recovery.handlers import AdvanceDueDeadlines, dispatch


async def main(url: str, name: str, now: str, owner: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    with tempfile.TemporaryDirectory() as postal:
        ports = _ports(client[name], _Clock(datetime.fromisoformat(now)), Path(postal), owner=owner)
        while await dispatch(AdvanceDueDeadlines(), ports) is not None:
            pass
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
