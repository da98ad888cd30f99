"""StartCheck ("check new events"): a job that checks every company of a portfolio, which the client
polls; a check already running for the portfolio is returned instead of a second one."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import checks
from ratings.domain.checks import CheckJob
from ratings.handlers.base import credentials_of, readable
from ratings.ports import NotFound, RatingsPorts


@dataclass(frozen=True)
class StartCheck:
    account_id: str
    portfolio_id: str
    alert_on_new_event: bool | None = None  # None: the portfolio's own option


@dataclass(frozen=True)
class ShowCheck:
    account_id: str
    portfolio_id: str
    job_id: str


async def handle(command: StartCheck, ports: RatingsPorts) -> tuple[CheckJob, bool]:
    """The job and whether it was created now (False: one was running already)."""
    portfolio = await readable(ports, command.portfolio_id, command.account_id)
    await credentials_of(ports, command.account_id)  # 409 now rather than a job of failures
    running = await ports.jobs.running_for(portfolio.portfolio_id)
    if running is not None:
        return running, False
    alert = portfolio.alert_on_new_event if command.alert_on_new_event is None else command.alert_on_new_event
    job = checks.start(
        ports.new_id(),
        portfolio.portfolio_id,
        portfolio.companies,
        command.account_id,
        alert_on_new_event=alert,
        now=ports.clock.now(),
    )
    await ports.jobs.add(job)
    ports.wake_checks()
    return job, True


async def show(command: ShowCheck, ports: RatingsPorts) -> CheckJob:
    await readable(ports, command.portfolio_id, command.account_id)
    job = await ports.jobs.get(command.job_id)
    if job.portfolio_id != command.portfolio_id:
        raise NotFound("check", command.job_id)
    return job
