"""The periodic job loop: a failing pass (a dependency away, or a bug) does not end it; stop() does."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from chassis.periodic import Periodic


class Job(Periodic):
    name = "test job"

    def __init__(self, interval_seconds: float, outcomes: list[BaseException | None]) -> None:
        super().__init__(interval_seconds)
        self.outcomes = outcomes
        self.passes = 0
        self.passed = asyncio.Event()

    async def run_once(self) -> float | None:
        self.passes += 1
        self.passed.set()
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if not self.outcomes:
            self.stop()
        if outcome is not None:
            raise outcome
        return None  # wait the interval


async def test_a_failed_pass_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    job = Job(0, [ServerSelectionTimeoutError("no mongo"), RuntimeError("a bug"), None])
    with caplog.at_level(logging.WARNING, logger="chassis.periodic"):
        await asyncio.wait_for(job.run(), 30)  # a bound against hanging
    assert job.passes == 3
    dependency, bug = caplog.records
    assert "test job stopped, mongo unreachable" in dependency.getMessage()
    assert dependency.exc_info is None  # one line, no traceback
    assert "test job failed" in bug.getMessage()
    assert bug.exc_info is not None


async def test_stop_ends_the_wait_between_passes() -> None:
    job = Job(3600, [None, None])  # the second pass, an hour later, never comes
    task = asyncio.create_task(job.run())
    await asyncio.wait_for(job.passed.wait(), 30)
    job.stop()
    await asyncio.wait_for(task, 30)
    assert job.passes == 1
