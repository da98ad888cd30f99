"""Ratings' background loops on the ports' fakes: the check runner runs every pending job, one
after the other; monitoring starts the check of each due portfolio; a stopped loop returns."""

from __future__ import annotations

import asyncio

from ratings.domain.checks import JobState
from ratings.handlers import create_portfolio, start_check
from ratings.handlers.loops import CheckRunner, Monitoring
from ratings.ports import RatingsPorts
from services.ratings.tests.fakes import FakePortfolios
from services.ratings.tests.test_handlers import connected, siren
from tests.clock import SettableClock


async def _watched(ports: RatingsPorts, name: str, first: int) -> str:
    companies = (siren(first), siren(first + 1))
    made = await create_portfolio.handle(create_portfolio.CreatePortfolio("u1", name, companies=companies), ports)
    return made.portfolio_id


async def test_the_check_runner_runs_each_pending_job_then_finds_none(ports: RatingsPorts) -> None:
    await connected(ports)
    jobs = [
        (await start_check.handle(start_check.StartCheck("u1", await _watched(ports, name, n)), ports))[0]
        for name, n in (("A", 10), ("B", 20))
    ]
    runner = CheckRunner(ports, interval_s=3600)
    assert [await runner.once(), await runner.once(), await runner.once()] == [True, True, False]
    assert [(await ports.jobs.get(j.job_id)).state for j in jobs] == [JobState.DONE, JobState.DONE]


async def test_monitoring_starts_the_check_of_a_due_portfolio_once(ports: RatingsPorts, clock: SettableClock) -> None:
    await connected(ports)
    pid = await _watched(ports, "A", 10)
    assert isinstance(ports.portfolios, FakePortfolios)
    ports.portfolios.due[pid] = clock.now()
    monitoring = Monitoring(ports, interval_s=3600)
    assert [await monitoring.once(), await monitoring.once()] == [True, False]
    assert await CheckRunner(ports, interval_s=3600).once()


async def test_a_loop_with_nothing_to_do_returns_once_stopped(ports: RatingsPorts) -> None:
    runner = CheckRunner(ports, interval_s=3600)
    running = asyncio.create_task(runner.run())
    for _ in range(10):  # let it find no job and start its pause
        await asyncio.sleep(0)
    assert not running.done()
    runner.stop()
    await running
    assert running.exception() is None
