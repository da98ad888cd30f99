"""RunCheck: claim one pending "check new events" job and run it to its end.

Companies are checked with bounded concurrency (at most `policy.check_concurrency` provider calls in
flight);
a 429 (`ProviderRateLimited`) pauses every worker for its Retry-After and is retried a bounded number
of times; any other provider failure is that company's outcome (`failed`, with why), and the others go
on. Results are written in batches of `policy.check_batch` companies, in this order: the portfolio's
entries with their alerts (one write), the companies' files with their `RatingUpdated` (one write
each), then the job's outcomes (one write, while the claim is held). A crash anywhere redoes the
companies of the unwritten batch: their change is still unstored, so found again, and their alerts
carry the same ids (ADR 0028). A job taken over resumes with the companies still pending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ratings.domain import checks
from ratings.domain.alerts import Alert, alerts_for
from ratings.domain.checks import CheckJob, CompanyOutcome, Outcome
from ratings.domain.companies import Company, CompanyId
from ratings.domain.credit_file import CreditFile
from ratings.domain.portfolios import Entry, Portfolio
from ratings.handlers.base import Fetched, fetch_company, store_company
from ratings.ports import (
    CompanyRecord,
    CreditProvider,
    HistoryPoint,
    NotFound,
    ProviderCredentials,
    ProviderError,
    ProviderEvent,
    ProviderRateLimited,
    RatingsPorts,
)

READ_AHEAD = 500  # companies read in one query before their check


class ClaimLost(Exception):
    """Another instance took the job over (this one was too slow to renew its lease)."""


@dataclass(frozen=True)
class RunCheck:
    pass


@dataclass(frozen=True)
class _Result:
    index: int  # in the job
    outcome: CompanyOutcome
    entry: Entry | None  # None: the company left the portfolio meanwhile
    alerts: tuple[Alert, ...] = ()
    fetched: Fetched | None = None


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


class _Bounded:
    """The provider with at most `limit` calls in flight."""

    def __init__(self, provider: CreditProvider, limit: int) -> None:
        self.name = provider.name
        self._provider = provider
        self._slots = asyncio.Semaphore(limit)

    async def authenticate(self, credentials: ProviderCredentials) -> None:
        async with self._slots:
            await self._provider.authenticate(credentials)

    async def search(
        self, credentials: ProviderCredentials, *, country: str, number: str | None = None, name: str | None = None
    ) -> Sequence[Company]:
        async with self._slots:
            return await self._provider.search(credentials, country=country, number=number, name=name)

    async def credit_report(self, credentials: ProviderCredentials, company: CompanyId) -> CreditFile:
        async with self._slots:
            return await self._provider.credit_report(credentials, company)

    async def history(
        self, credentials: ProviderCredentials, company: CompanyId, *, months: int
    ) -> Sequence[HistoryPoint]:
        async with self._slots:
            return await self._provider.history(credentials, company, months=months)

    async def events_since(
        self, credentials: ProviderCredentials, company: CompanyId, since: datetime | None
    ) -> Sequence[ProviderEvent]:
        async with self._slots:
            return await self._provider.events_since(credentials, company, since)


class _Runner:
    def __init__(
        self, job: CheckJob, portfolio: Portfolio, credentials: ProviderCredentials | None, ports: RatingsPorts
    ) -> None:
        self.job = job
        self.portfolio = portfolio
        self.positions = {e.company: i for i, e in enumerate(portfolio.entries)}
        self.credentials = credentials
        # Provider calls in flight are bounded, not companies: a company's reads and writes in Mongo
        # do not hold a provider slot. Twice as many companies are in progress, so slots never idle.
        self.ports = replace(ports, provider=_Bounded(ports.provider, ports.policy.check_concurrency))
        self.slots = asyncio.Semaphore(2 * ports.policy.check_concurrency)
        self.paused_until = 0.0  # monotonic time before which nobody calls the provider (a 429)
        self.buffer: list[_Result] = []
        self.writing = asyncio.Lock()
        self.stored: dict[CompanyId, CompanyRecord] = {}  # read ahead, in a few reads

    async def read_ahead(self, companies: Sequence[CompanyId]) -> None:
        for start in range(0, len(companies), READ_AHEAD):
            chunk = companies[start : start + READ_AHEAD]
            found = await self.ports.files.get_many(chunk)
            self.stored.update({c: found.get(c) or CompanyRecord(c) for c in chunk})  # absent: never stored

    async def add(self, result: _Result) -> None:
        self.buffer.append(result)
        if len(self.buffer) >= self.ports.policy.check_batch:
            await self.flush()

    async def flush(self) -> None:
        async with self.writing:
            batch, self.buffer = self.buffer, []
            if not batch:
                return
            ports, pid = self.ports, self.portfolio.portfolio_id
            placed = [(self.positions[r.entry.company], r.entry) for r in batch if r.entry is not None]
            alerts = [a for r in batch for a in r.alerts]
            if placed and not await ports.portfolios.record_entries(pid, self.portfolio.version, placed, alerts):
                for r in batch:  # the owner edited the portfolio meanwhile: entry by entry
                    if r.entry is not None:
                        await ports.portfolios.record_entry(pid, r.entry, r.alerts)
            await asyncio.gather(*(store_company(ports, r.fetched) for r in batch if r.fetched is not None))
            if not await ports.jobs.record(self.job, [(r.index, r.outcome) for r in batch]):
                raise ClaimLost(self.job.job_id)
            now = ports.clock.now()
            for r in batch:
                self.job = checks.record(self.job, r.outcome.company, r.outcome.outcome, r.outcome.detail, now=now)

    def failed(self, index: int, company: CompanyId, detail: str) -> _Result:
        entry = self.portfolio.entry(company)
        return _Result(index, CompanyOutcome(company, Outcome.FAILED, detail), entry.failed() if entry else None)

    async def fetch(self, company: CompanyId) -> Fetched | str:
        """The company from the provider, or why it could not be had."""
        assert self.credentials is not None
        policy = self.ports.policy
        stored = self.stored.pop(company, None)  # None: read it (not read ahead)
        async with self.slots:
            for attempt in range(policy.rate_limit_retries + 1):
                wait = self.paused_until - time.monotonic()
                if wait > 0:
                    await self.ports.sleep(wait)
                try:
                    return await fetch_company(self.ports, self.credentials, company, with_history=False, stored=stored)
                except ProviderRateLimited as limited:
                    if attempt == policy.rate_limit_retries:
                        return f"the provider kept refusing (429): {limited}"
                    delay = min(limited.retry_after_s or 1.0, policy.rate_limit_wait_max_s)
                    self.paused_until = max(self.paused_until, time.monotonic() + delay)
                    await self.ports.sleep(delay)
                except ProviderError as error:
                    return f"{type(error).__name__}: {error}"
        raise AssertionError("unreachable")  # pragma: no cover

    async def check(self, index: int, company: CompanyId) -> None:
        if self.credentials is None:
            await self.add(self.failed(index, company, "no provider account connected for this portfolio's owner"))
            return
        fetched = await self.fetch(company)
        if isinstance(fetched, str):
            await self.add(self.failed(index, company, fetched))
            return
        record = fetched.updated
        assert record.file is not None
        new_event = bool(fetched.events) or fetched.change is not None
        entry = self.portfolio.entry(company)
        updated = None
        alerts: tuple[Alert, ...] = ()
        if entry is not None:
            updated = entry.refreshed(record.file, new_event=new_event)
            if not updated.name and record.name:
                updated = replace(updated, name=record.name)
            if self.job.alert_on_new_event and new_event:
                alerts = alerts_for(
                    owner_id=self.portfolio.owner_id,
                    portfolio_id=self.portfolio.portfolio_id,
                    portfolio_name=self.portfolio.name,
                    company=company,
                    company_name=updated.name,
                    events=fetched.events,
                    change=fetched.change,
                    now=self.ports.clock.now(),
                )
        if new_event:
            what = [*(e.kind for e in fetched.events), *(fetched.change.changed_fields if fetched.change else ())]
            outcome = CompanyOutcome(company, Outcome.NEW_EVENTS, ", ".join(what))
        else:
            outcome = CompanyOutcome(company, Outcome.UNCHANGED, "")
        await self.add(_Result(index, outcome, updated, alerts, fetched))


async def run(job: CheckJob, ports: RatingsPorts) -> CheckJob:
    pending = [(i, o.company) for i, o in enumerate(job.outcomes) if o.outcome is Outcome.PENDING]
    try:
        portfolio = await ports.portfolios.get(job.portfolio_id)
    except NotFound:
        gone = [(i, CompanyOutcome(c, Outcome.FAILED, "the portfolio was deleted")) for i, c in pending]
        if not await ports.jobs.record(job, gone):
            raise ClaimLost(job.job_id) from None
        for _, outcome in gone:
            job = checks.record(job, outcome.company, outcome.outcome, outcome.detail, now=ports.clock.now())
        await ports.jobs.finish(job)
        return job
    runner = _Runner(job, portfolio, await ports.accounts.get(job.requested_by), ports)
    await runner.read_ahead([c for _, c in pending])
    results = await asyncio.gather(*(runner.check(i, c) for i, c in pending), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    await runner.flush()
    await ports.portfolios.mark_monitored(portfolio.portfolio_id, ports.clock.now())
    if not await ports.jobs.finish(runner.job):
        raise ClaimLost(job.job_id)
    return runner.job
