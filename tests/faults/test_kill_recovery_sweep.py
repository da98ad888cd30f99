"""kill -9 of a recovery sweeper mid-sweep: the cases it held are taken over once its leases lapse,
and every due transition is applied exactly once (none lost, none repeated), on the real Mongo-wire
server. The sweeper runs in its own process (the service's handlers and store), killed by SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.recovery_sweep import _Clock, _ports, seed
from devstack.stack import Stack
from recovery.handlers import AdvanceDueDeadlines, dispatch
from recovery.store.cases import CASES
from tests.faults.helpers import converge

pytestmark = pytest.mark.infra
OPEN, DUE = 400, 40
ROOT = Path(__file__).resolve().parents[2]


async def test_a_sweeper_killed_mid_sweep_loses_and_repeats_no_transition(stack: Stack, db: Any) -> None:
    month_end = await seed(db, OPEN, DUE)
    now = month_end + timedelta(hours=1)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.recovery_sweep_worker", stack.mongo_url, db.name, now.isoformat(), "doomed",
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    advanced = {"phase": "injunction_available"}

    async def some_done() -> list[str]:
        done = await db[CASES].count_documents(advanced)
        return [] if done >= 3 else [f"{done} transitions so far"]

    await converge(some_done, timeout=120, interval=0.05)
    worker.send_signal(signal.SIGKILL)  # mid-sweep: no shutdown, its leases stay until they lapse
    await worker.wait()
    held = await db[CASES].count_documents({"lease.owner": "doomed"})
    done_when_killed = await db[CASES].count_documents(advanced)
    assert done_when_killed < DUE, "killed mid-sweep, not after it"
    survivor_clock = _Clock(now)
    with tempfile.TemporaryDirectory() as postal:
        survivor = _ports(db, survivor_clock, Path(postal), owner="survivor")
        while await dispatch(AdvanceDueDeadlines(), survivor) is not None:
            pass
        survivor_clock.at = now + timedelta(minutes=3)  # past the dead sweeper's leases (2 minutes)
        while await dispatch(AdvanceDueDeadlines(), survivor) is not None:
            pass

    async def exactly_once() -> list[str]:
        problems = []
        async for document in db[CASES].find({"due_at": {"$ne": None}, "phase": "simplified"}, {"_id": 1, "due_at": 1}):
            if document["due_at"] <= now:
                problems.append(f"{document['_id']} still due: lost")
        async for document in db[CASES].find(advanced, {"case.timeline": 1, "_outbox": 1}):
            entries = [t for t in document["case"]["timeline"] if t["action"] == "injunction available"]
            changes = [e for e in document.get("_outbox", []) if e["topic"].endswith("case-phase-changed.v1")]
            if len(entries) != 1 or len(changes) != 1:
                problems.append(f"{document['_id']}: {len(entries)} transitions, {len(changes)} events: repeated")
        done = await db[CASES].count_documents(advanced)
        if done != DUE:
            problems.append(f"{done} of {DUE} due cases advanced")
        return problems

    await converge(exactly_once, timeout=30)
    assert held <= 1  # one case at a time: at most the one in hand when killed
