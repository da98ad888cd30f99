"""The deterministic local provider: for development, tests and the bench.

It implements `ratings.ports.CreditProvider` over a generated directory
(`directory.Directory`: companies of ten countries with numbers valid for their
registers) and credit files that evolve month by month (`evolution`): the file
of a company at an instant, its monthly history and its monitoring events (old
and new values) are pure functions of the company and the time of the injected
clock, so monitoring finds real changes when the clock moves into a new month,
and two runs give the same answers.

Accounts: any non-empty username with a non-empty password is accepted, except
the password `REFUSED_PASSWORD`, refused like a wrong one (to test the 409 and
the credential flows). An optional latency per call stands for the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from chassis.clock import Clock, SystemClock
from ratings.adapters.providers.criteria import search_criteria
from ratings.adapters.providers.directory import PROFILES, Directory
from ratings.adapters.providers.evolution import (
    CompanyWalk,
    MonthState,
    first_of_month,
    month_index,
    month_of,
)
from ratings.domain.companies import Company, CompanyId
from ratings.domain.credit_file import CreditFile, Money
from ratings.domain.errors import RuleViolations, Violation
from ratings.ports import (
    LIMIT_CHANGED,
    RATING_CHANGED,
    SCORE_CHANGED,
    CompanyUnknown,
    HistoryPoint,
    InvalidCredentials,
    ProviderCredentials,
    ProviderEvent,
)

REFUSED_PASSWORD = "wrong-password"
# How far back the provider keeps monitoring events (an `events_since(None)` reads this far).
EVENTS_KEPT_MONTHS = 36
LOCAL_PAGE_URL = "https://provider.invalid/local/companies/{connect_id}"


def _units(cents: int, currency: str) -> str:
    return f"{cents // 100:,} {currency}".replace(",", " ")


class LocalProvider:
    """`CreditProvider` without a network: deterministic, evolving with the clock."""

    name = "local"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        companies_per_country: int = 100,
        latency_s: float = 0.0,
        page_url: str = LOCAL_PAGE_URL,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock or SystemClock()
        self.directory = Directory(companies_per_country)
        self.latency_s = latency_s
        self.page_url = page_url
        self.calls = 0  # every call made, accepted or not (the bench reads it)
        self._sleep = sleep
        self._walks: dict[str, CompanyWalk] = {}

    async def aclose(self) -> None:
        """Nothing to release (the HTTP client has a connection pool; both have aclose)."""

    # -- the port -------------------------------------------------------------------------

    async def authenticate(self, credentials: ProviderCredentials) -> None:
        await self._call(credentials)

    async def search(
        self, credentials: ProviderCredentials, *, country: str, number: str | None = None, name: str | None = None
    ) -> Sequence[Company]:
        criteria = search_criteria(country, number, name)
        await self._call(credentials)
        if criteria.company is not None:
            company = self.directory.get(criteria.company)
            if company is None or (criteria.name and not self.directory.matches(company, criteria.name)):
                return []
            return [company]
        return self.directory.search_name(criteria.country, criteria.name or "")

    async def credit_report(self, credentials: ProviderCredentials, company: CompanyId) -> CreditFile:
        await self._call(credentials)
        now = self.clock.now()
        return self.file_of(company, self.walk(company).at(now), synchronised_at=now)

    async def history(
        self, credentials: ProviderCredentials, company: CompanyId, *, months: int
    ) -> Sequence[HistoryPoint]:
        await self._call(credentials)
        if months < 1:
            raise RuleViolations([Violation("bad-months", "months", "at least one month")])
        walk = self.walk(company)
        now = self.clock.now()
        current = month_index(first_of_month(now))
        currency = PROFILES[company.country].currency
        points = []
        for index in range(max(0, current - months + 1), current + 1):
            state = walk.at(now) if index == current else walk.state(index)
            points.append(HistoryPoint(month_of(index), state.score, state.limit_cents, currency))
        return points

    async def events_since(
        self, credentials: ProviderCredentials, company: CompanyId, since: datetime | None
    ) -> Sequence[ProviderEvent]:
        await self._call(credentials)
        walk = self.walk(company)
        now = self.clock.now()
        current = month_index(first_of_month(now))
        events: list[ProviderEvent] = []
        first = max(1, current - EVENTS_KEPT_MONTHS + 1)
        if since is not None:  # a month's change lands within its month: earlier months are older
            first = max(first, month_index(first_of_month(since)))
        for index in range(first, current + 1):
            state = walk.state(index)
            if state.changed_at > now or (since is not None and state.changed_at <= since):
                continue
            events.extend(self.events_between(company, walk.state(index - 1), state))
        return events

    # -- the model, for tests and tools ----------------------------------------------------

    def file_of(self, company: CompanyId, state: MonthState, *, synchronised_at: datetime) -> CreditFile:
        found = self.directory.get(company)
        assert found is not None  # walk checked it
        currency = PROFILES[company.country].currency
        return CreditFile(
            company_key=company.key,
            provider=self.name,
            provider_rating=str(state.score),
            national_score=state.score,
            credit_limit=Money(state.limit_cents, currency),
            solvency_index=state.solvency_index,
            trends=state.trends,
            provider_url=self.page_url.format(connect_id=found.provider_id),
            synchronised_at=synchronised_at,
        )

    def events_between(self, company: CompanyId, before: MonthState, after: MonthState) -> list[ProviderEvent]:
        """The events a month's change raises: one per changed value, with old and new values."""
        month = after.month.strftime("%Y-%m")
        currency = PROFILES[company.country].currency
        events = []
        if before.rating != after.rating:
            events.append(
                ProviderEvent(
                    f"{company.key}:{month}:{RATING_CHANGED}",
                    company,
                    after.changed_at,
                    RATING_CHANGED,
                    f"Rating {before.rating.value} → {after.rating.value} ({after.rating.description})",
                    before.rating.value,
                    after.rating.value,
                )
            )
        if before.score != after.score:
            events.append(
                ProviderEvent(
                    f"{company.key}:{month}:{SCORE_CHANGED}",
                    company,
                    after.changed_at,
                    SCORE_CHANGED,
                    f"National score {before.score} → {after.score}",
                    str(before.score),
                    str(after.score),
                )
            )
        if before.limit_cents != after.limit_cents:
            events.append(
                ProviderEvent(
                    f"{company.key}:{month}:{LIMIT_CHANGED}",
                    company,
                    after.changed_at,
                    LIMIT_CHANGED,
                    f"Credit limit {_units(before.limit_cents, currency)} → {_units(after.limit_cents, currency)}",
                    str(before.limit_cents),
                    str(after.limit_cents),
                )
            )
        return events

    def walk(self, company: CompanyId) -> CompanyWalk:
        if self.directory.get(company) is None:
            raise CompanyUnknown(f"the local provider knows no company {company.key}")
        walk = self._walks.get(company.key)
        if walk is None:
            walk = self._walks[company.key] = CompanyWalk(company.key)
        return walk

    async def _call(self, credentials: ProviderCredentials) -> None:
        self.calls += 1
        if self.latency_s:
            await self._sleep(self.latency_s)
        if not credentials.username.strip() or not credentials.password or credentials.password == REFUSED_PASSWORD:
            raise InvalidCredentials("the provider refused this username and password")
