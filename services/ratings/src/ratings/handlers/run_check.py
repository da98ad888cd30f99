"""RunCheck: claim one pending "check new events" job and run it to its end.

Companies are checked with bounded concurrency (`policy.check_concurrency` calls in flight); a 429
(`ProviderRateLimited`) pauses every worker for its Retry-After and is retried a bounded number of
times; any other provider failure is that company's outcome (`failed`, with why), and the others go
on. Each outcome is stored as soon as it is known, after the company's file and portfolio entry
(with its alerts), so a job taken over after a crash resumes with the companies still pending.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

from ratings.domain import checks
from ratings.domain.alerts import Alert, alerts_for
from ratings.domain.checks import CheckJob, CompanyOutcome, Outcome
from ratings.domain.companies import CompanyId
from ratings.domain.portfolios import Entry, Portfolio
from ratings.handlers.base import refresh_company
from ratings.ports import NotFound, ProviderCredentials, ProviderError, ProviderRateLimited, RatingsPorts


class ClaimLost(Exception):
    """Another instance took the job over (this one was too slow to renew its lease)."""


@dataclass(frozen=True)
class RunCheck:
    pass


async def handle(command: RunCheck, ports: RatingsPorts) -> CheckJob | None:
    job = await ports.jobs.claim()
    if job is None:
        return None
    try:
        return await run(job, ports)
    except ClaimLost:
        return None
    except BaseException:
        await ports.jobs.release(job.job_id)
        raise


class _Runner:
    def __init__(
        self, job: CheckJob, portfolio: Portfolio, credentials: ProviderCredentials | None, ports: RatingsPorts
    ):
        self.job = job
        self.portfolio = portfolio
        self.credentials = credentials
        self.ports = ports
        self.slots = asyncio.Semaphore(ports.policy.check_concurrency)
        self.paused_until = 0.0  # monotonic time before which nobody calls the provider (a 429)

    async def record(self, index: int, company: CompanyId, outcome: Outcome, detail: str) -> None:
        stored = CompanyOutcome(company, outcome, detail)
        if not await self.ports.jobs.record(self.job, index, stored):
            raise ClaimLost(self.job.job_id)
        self.job = checks.record(self.job, company, outcome, detail, now=self.ports.clock.now())

    async def fail(self, index: int, company: CompanyId, detail: str) -> None:
        entry = self.portfolio.entry(company)
        if entry is not None:
            await self.ports.portfolios.record_entry(self.portfolio.portfolio_id, entry.failed(), ())
        await self.record(index, company, Outcome.FAILED, detail)

    async def check(self, index: int, company: CompanyId) -> None:
        if self.credentials is None:
            await self.fail(index, company, "no provider account connected for this portfolio's owner")
            return
        policy = self.ports.policy
        async with self.slots:
            for attempt in range(policy.rate_limit_retries + 1):
                wait = self.paused_until - time.monotonic()
                if wait > 0:
                    await self.ports.sleep(wait)
                try:
                    refreshed = await refresh_company(self.ports, self.credentials, company, with_history=False)
                    break
                except ProviderRateLimited as limited:
                    if attempt == policy.rate_limit_retries:
                        await self.fail(index, company, f"the provider kept refusing (429): {limited}")
                        return
                    delay = min(limited.retry_after_s or 1.0, policy.rate_limit_wait_max_s)
                    self.paused_until = max(self.paused_until, time.monotonic() + delay)
                    await self.ports.sleep(delay)
                except ProviderError as error:
                    await self.fail(index, company, f"{type(error).__name__}: {error}")
                    return
        entry = self.portfolio.entry(company) or Entry(company)
        record = refreshed.record
        assert record.file is not None
        new_event = bool(refreshed.events) or refreshed.change is not None
        updated = entry.refreshed(record.file, new_event=new_event)
        if not updated.name and record.name:
            updated = replace(updated, name=record.name)
        alerts: tuple[Alert, ...] = ()
        if self.job.alert_on_new_event and new_event:
            alerts = alerts_for(
                owner_id=self.portfolio.owner_id,
                portfolio_id=self.portfolio.portfolio_id,
                portfolio_name=self.portfolio.name,
                company=company,
                company_name=updated.name,
                events=refreshed.events,
                change=refreshed.change,
                now=self.ports.clock.now(),
            )
        await self.ports.portfolios.record_entry(self.portfolio.portfolio_id, updated, alerts)
        if new_event:
            what = [*(e.kind for e in refreshed.events), *(refreshed.change.changed_fields if refreshed.change else ())]
            await self.record(index, company, Outcome.NEW_EVENTS, ", ".join(what))
        else:
            await self.record(index, company, Outcome.UNCHANGED, "")


async def run(job: CheckJob, ports: RatingsPorts) -> CheckJob:
    try:
        portfolio = await ports.portfolios.get(job.portfolio_id)
    except NotFound:
        for index, outcome in enumerate(job.outcomes):
            if outcome.outcome is Outcome.PENDING:
                if not await ports.jobs.record(job, index, CompanyOutcome(outcome.company, Outcome.FAILED, "deleted")):
                    raise ClaimLost(job.job_id) from None
                job = checks.record(
                    job, outcome.company, Outcome.FAILED, "the portfolio was deleted", now=ports.clock.now()
                )
        await ports.jobs.finish(job)
        return job
    runner = _Runner(job, portfolio, await ports.accounts.get(job.requested_by), ports)
    pending = [(i, o.company) for i, o in enumerate(job.outcomes) if o.outcome is Outcome.PENDING]
    results = await asyncio.gather(*(runner.check(i, c) for i, c in pending), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    await ports.portfolios.mark_monitored(portfolio.portfolio_id, ports.clock.now())
    if not await ports.jobs.finish(runner.job):
        raise ClaimLost(job.job_id)
    return runner.job
