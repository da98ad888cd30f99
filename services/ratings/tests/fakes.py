"""In-memory fakes of ratings' ports, for handler unit tests only (service tests use the real adapters).

Each keeps its adapter's promises: a write and its events together, a save over a stale version
refused, one claim at a time, a job's outcome written only by its holder.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from contracts import Right
from ratings.domain.alerts import Alert
from ratings.domain.checks import CheckJob, CompanyOutcome, JobState
from ratings.domain.companies import Address, Company, CompanyId
from ratings.domain.credit_file import CreditFile, Money, RatingChange, Trend, Trends
from ratings.domain.legacy import LegacyImport
from ratings.domain.portfolios import Entry, Portfolio, PortfolioChange
from ratings.ports import (
    AlreadyExists,
    CompanyRecord,
    CompanyUnknown,
    HistoryPoint,
    InvalidCredentials,
    NotFound,
    ProviderCredentials,
    ProviderEvent,
    ProviderRateLimited,
    ProviderUnavailable,
    StaleWrite,
)


class FakeFiles:
    def __init__(self) -> None:
        self.records: dict[CompanyId, CompanyRecord] = {}
        self.changes: list[RatingChange] = []  # the outbox's RatingUpdated, in write order

    async def get(self, company: CompanyId) -> CompanyRecord | None:
        return self.records.get(company)

    async def get_many(self, companies: Sequence[CompanyId]) -> dict[CompanyId, CompanyRecord]:
        return {c: self.records[c] for c in companies if c in self.records}

    async def save(self, record: CompanyRecord, change: RatingChange | None, *, expected_version: int) -> CompanyRecord:
        stored = self.records.get(record.company)
        if (stored.version if stored else 0) != expected_version:
            raise StaleWrite(record.company.key)
        saved = replace(record, version=expected_version + 1)
        self.records[record.company] = saved
        if change is not None:
            self.changes.append(change)
        return saved


class FakePortfolios:
    def __init__(self) -> None:
        self.portfolios: dict[str, Portfolio] = {}
        self.events: list[PortfolioChange] = []
        self.alerts: list[Alert] = []
        self.due: dict[str, datetime] = {}
        self.claimed: set[str] = set()
        self.cadence = timedelta(hours=24)

    async def get(self, portfolio_id: str) -> Portfolio:
        try:
            return self.portfolios[portfolio_id]
        except KeyError:
            raise NotFound("portfolio", portfolio_id) from None

    async def add(self, portfolio: Portfolio, events: Sequence[PortfolioChange]) -> None:
        if portfolio.portfolio_id in self.portfolios:
            raise AlreadyExists(portfolio.portfolio_id)
        self.portfolios[portfolio.portfolio_id] = replace(portfolio, version=1)
        self.due[portfolio.portfolio_id] = (
            portfolio.last_monitored_at or datetime(2000, 1, 1, tzinfo=UTC)
        ) + self.cadence
        self.events.extend(events)

    async def save(
        self, portfolio: Portfolio, events: Sequence[PortfolioChange], *, expected_version: int
    ) -> Portfolio:
        stored = await self.get(portfolio.portfolio_id)
        if stored.version != expected_version:
            raise StaleWrite(portfolio.portfolio_id)
        saved = replace(portfolio, version=expected_version + 1)
        self.portfolios[portfolio.portfolio_id] = saved
        self.events.extend(events)
        return saved

    async def delete(self, portfolio: Portfolio, event: PortfolioChange, *, expected_version: int) -> None:
        stored = await self.get(portfolio.portfolio_id)
        if stored.version != expected_version:
            raise StaleWrite(portfolio.portfolio_id)
        del self.portfolios[portfolio.portfolio_id]
        self.events.append(event)

    async def visible_to(self, account_id: str, company_spaces: Collection[str]) -> Sequence[Portfolio]:
        return [p for p in self.portfolios.values() if p.owner_id == account_id or p.company_space in company_spaces]

    async def record_entry(self, portfolio_id: str, entry: Entry, alerts: Sequence[Alert]) -> bool:
        portfolio = self.portfolios.get(portfolio_id)
        if portfolio is None or portfolio.entry(entry.company) is None:
            return False
        entries = tuple(entry if e.company == entry.company else e for e in portfolio.entries)
        self.portfolios[portfolio_id] = replace(portfolio, entries=entries)
        known = {a.alert_id for a in self.alerts}
        self.alerts.extend(a for a in alerts if a.alert_id not in known)
        return True

    async def record_entries(
        self, portfolio_id: str, revision: int, entries: Sequence[tuple[int, Entry]], alerts: Sequence[Alert]
    ) -> bool:
        portfolio = self.portfolios.get(portfolio_id)
        if portfolio is None or portfolio.version != revision:
            return False
        placed = list(portfolio.entries)
        for position, entry in entries:
            placed[position] = entry
        self.portfolios[portfolio_id] = replace(portfolio, entries=tuple(placed))
        known = {a.alert_id for a in self.alerts}
        self.alerts.extend(a for a in alerts if a.alert_id not in known)
        return True

    async def mark_monitored(self, portfolio_id: str, at: datetime) -> None:
        if portfolio_id in self.portfolios:
            self.portfolios[portfolio_id] = replace(self.portfolios[portfolio_id], last_monitored_at=at)

    async def claim_due(self, now: datetime) -> Portfolio | None:
        for pid, portfolio in self.portfolios.items():
            if portfolio.active and pid not in self.claimed and self.due[pid] <= now:
                self.claimed.add(pid)
                return portfolio
        return None

    async def monitoring_scheduled(self, portfolio_id: str, next_at: datetime) -> bool:
        if portfolio_id not in self.claimed:
            return False
        self.claimed.discard(portfolio_id)
        self.due[portfolio_id] = next_at
        return True

    async def release_monitoring(self, portfolio_id: str) -> None:
        self.claimed.discard(portfolio_id)


class FakeJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, CheckJob] = {}
        self.claimed: set[str] = set()
        self.lost: set[str] = set()  # jobs whose claim a test took away

    async def add(self, job: CheckJob) -> bool:
        if job.job_id in self.jobs:
            return False
        self.jobs[job.job_id] = job
        return True

    async def get(self, job_id: str) -> CheckJob:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NotFound("check", job_id) from None

    async def running_for(self, portfolio_id: str) -> CheckJob | None:
        return next(
            (j for j in self.jobs.values() if j.portfolio_id == portfolio_id and j.state is JobState.RUNNING), None
        )

    async def claim(self) -> CheckJob | None:
        for job in self.jobs.values():
            if job.state is JobState.RUNNING and job.job_id not in self.claimed:
                self.claimed.add(job.job_id)
                return job
        return None

    async def record(self, job: CheckJob, recorded: Sequence[tuple[int, CompanyOutcome]]) -> bool:
        if job.job_id not in self.claimed or job.job_id in self.lost:
            return False
        stored = self.jobs[job.job_id]
        outcomes = list(stored.outcomes)
        for index, outcome in recorded:
            outcomes[index] = outcome
        self.jobs[job.job_id] = replace(stored, outcomes=tuple(outcomes))
        return True

    async def finish(self, job: CheckJob) -> bool:
        if job.job_id not in self.claimed or job.job_id in self.lost:
            return False
        self.jobs[job.job_id] = job
        self.claimed.discard(job.job_id)
        return True

    async def release(self, job_id: str) -> None:
        self.claimed.discard(job_id)


class FakeAccounts:
    def __init__(self) -> None:
        self.accounts: dict[str, tuple[ProviderCredentials, datetime]] = {}

    async def get(self, account_id: str) -> ProviderCredentials | None:
        found = self.accounts.get(account_id)
        return found[0] if found else None

    async def put(self, account_id: str, credentials: ProviderCredentials, at: datetime) -> None:
        self.accounts[account_id] = (credentials, at)

    async def remove(self, account_id: str) -> bool:
        return self.accounts.pop(account_id, None) is not None

    async def connected_at(self, account_id: str) -> datetime | None:
        found = self.accounts.get(account_id)
        return found[1] if found else None


class FakeLegacy:
    def __init__(self) -> None:
        self.imports: dict[str, LegacyImport] = {}
        self.migrations: dict[str, str] = {}

    async def get(self, legacy_id: str) -> LegacyImport | None:
        return self.imports.get(legacy_id)

    async def put(self, record: LegacyImport) -> None:
        self.imports[record.legacy_id] = record

    async def record_migration(self, legacy_id: str, account_id: str, at: datetime) -> None:
        self.migrations[legacy_id] = account_id

    async def migrated_to(self, legacy_id: str) -> str | None:
        return self.migrations.get(legacy_id)


class FakeRights:
    def __init__(self) -> None:
        self.granted: set[tuple[str, str, Right]] = set()

    def grant(self, company_id: str, member_id: str, right: Right) -> None:
        self.granted.add((company_id, member_id, right))

    async def may(self, company_id: str, member_id: str, right: Right) -> bool:
        return (company_id, member_id, right) in self.granted

    async def companies_with(self, member_id: str, right: Right) -> list[str]:
        return sorted({c for c, m, r in self.granted if m == member_id and r == right})


@dataclass
class FakeProvider:
    """A provider in memory: scores a test sets per company, events it adds, failures it plans."""

    clock: object
    name: str = "fake"
    accounts: dict[str, str] = field(default_factory=lambda: {"alice": "secret"})
    scores: dict[CompanyId, int] = field(default_factory=dict)
    limits: dict[CompanyId, int] = field(default_factory=dict)
    events: dict[CompanyId, list[ProviderEvent]] = field(default_factory=dict)
    unknown: set[CompanyId] = field(default_factory=set)
    down: set[CompanyId] = field(default_factory=set)
    rate_limited: dict[CompanyId, int] = field(default_factory=dict)  # how many 429s before answering
    calls: int = 0
    in_flight: int = 0
    most_in_flight: int = 0

    def _check(self, credentials: ProviderCredentials) -> None:
        if self.accounts.get(credentials.username) != credentials.password:
            raise InvalidCredentials("refused")

    async def authenticate(self, credentials: ProviderCredentials) -> None:
        self._check(credentials)

    async def search(
        self, credentials: ProviderCredentials, *, country: str, number: str | None = None, name: str | None = None
    ) -> Sequence[Company]:
        self._check(credentials)
        found = [c for c in self.scores if c.country == country and (number is None or c.number == number)]
        return [
            Company(c, f"Company {c.number}", Address(("1 rue A",), "75001", "Paris", c.country), f"P{c.number}")
            for c in found
        ]

    async def credit_report(self, credentials: ProviderCredentials, company: CompanyId) -> CreditFile:
        self._check(credentials)
        self.calls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)  # others may call meanwhile, as over a network
        self.in_flight -= 1
        if self.rate_limited.get(company, 0) > 0:
            self.rate_limited[company] -= 1
            raise ProviderRateLimited("429", retry_after_s=2.0)
        if company in self.down:
            raise ProviderUnavailable("timeout")
        if company in self.unknown or company not in self.scores:
            raise CompanyUnknown(company.key)
        score = self.scores[company]
        return CreditFile(
            company.key,
            self.name,
            str(score),
            score,
            Money(self.limits.get(company, 1_000_000), "EUR"),
            50,
            Trends(profitability=Trend.DOWN),
            f"https://provider.example/{company.key}",
            self.clock.now(),  # type: ignore[attr-defined]
        )

    async def history(
        self, credentials: ProviderCredentials, company: CompanyId, *, months: int
    ) -> Sequence[HistoryPoint]:
        self._check(credentials)
        start = date(2024, 1, 1)
        return [
            HistoryPoint(
                date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1),
                50 + i % 10,
                100_000 * i,
                "EUR",
            )
            for i in range(months)
        ]

    async def events_since(
        self, credentials: ProviderCredentials, company: CompanyId, since: datetime | None
    ) -> Sequence[ProviderEvent]:
        self._check(credentials)
        return [e for e in self.events.get(company, []) if since is None or e.occurred_at > since]


def new_ids() -> object:
    counter = iter(range(1, 1_000_000))
    return lambda: hashlib.sha1(str(next(counter)).encode()).hexdigest()[:12]
