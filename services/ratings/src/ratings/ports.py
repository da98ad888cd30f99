"""The ports of ratings: what its handlers need from the world, as Protocols.

The credit-information provider is behind `CreditProvider`: the HTTP client of a
Creditsafe-Connect-shaped API and the deterministic local provider both implement it
(`ratings.adapters.providers`), chosen by settings. The store ports (`ratings.store` for
MongoDB, `services/ratings/tests/fakes.py` in memory) keep each write and its events together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from chassis.clock import Clock
from contracts import Right
from ratings.domain.alerts import Alert
from ratings.domain.checks import CheckJob, CompanyOutcome
from ratings.domain.companies import Address, Company, CompanyId
from ratings.domain.credit_file import CreditFile, RatingChange
from ratings.domain.history import MonthlyPoint
from ratings.domain.legacy import LegacyImport
from ratings.domain.portfolios import Entry, Portfolio, PortfolioChange


@dataclass(frozen=True)
class ProviderCredentials:
    """A user's account at the provider (decrypted only in memory, for the call)."""

    username: str
    password: str


# The kinds of `ProviderEvent` every provider maps its own codes to; others keep the provider's name, slugged.
RATING_CHANGED = "rating_changed"  # old/new: common letters (A-E, NR)
SCORE_CHANGED = "score_changed"  # old/new: national scores 0-100, as integers
LIMIT_CHANGED = "limit_changed"  # old/new: credit limits in integer cents (the currency is the file's)
ADDRESS_CHANGED = "address_changed"


@dataclass(frozen=True)
class ProviderEvent:
    """A notification event of the provider's monitoring: something changed for a company.

    `old_value` and `new_value` are strings in the units given beside each kind above."""

    event_id: str  # the provider's id: one alert per new event
    company: CompanyId
    occurred_at: datetime
    kind: str  # e.g. rating_changed, limit_changed, score_changed, address_changed
    description: str
    old_value: str | None = None
    new_value: str | None = None


@dataclass(frozen=True)
class HistoryPoint:
    """One month of a company's history as the provider gives it."""

    month: date  # the first day of the month
    national_score: int | None
    credit_limit_cents: int | None
    currency: str


class ProviderError(Exception):
    """The provider could not answer (after the client's own retries)."""


class ProviderUnavailable(ProviderError):
    """The provider is down, timing out or its circuit is open: try again later."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ProviderRateLimited(ProviderUnavailable):
    """The provider answered 429 and kept answering it within the client's retry budget."""


class InvalidCredentials(ProviderError):
    """The provider refused the user's account when authenticating."""


class CompanyUnknown(ProviderError):
    """The provider knows no company by this id."""


class CreditProvider(Protocol):
    """A credit-information provider. Calls that need an account take the user's credentials;
    the client caches the provider's token per account and renews it before it expires."""

    name: str  # e.g. "creditsafe", "local"

    async def authenticate(self, credentials: ProviderCredentials) -> None:
        """Check an account by logging in with it; InvalidCredentials when refused."""
        ...

    async def search(
        self, credentials: ProviderCredentials, *, country: str, number: str | None = None, name: str | None = None
    ) -> Sequence[Company]:
        """Companies of a country by registration number or by name (at least one is given)."""
        ...

    async def credit_report(self, credentials: ProviderCredentials, company: CompanyId) -> CreditFile:
        """The company's current credit file; CompanyUnknown when the provider has none."""
        ...

    async def history(
        self, credentials: ProviderCredentials, company: CompanyId, *, months: int
    ) -> Sequence[HistoryPoint]:
        """The last `months` monthly points of score and limit, oldest first."""
        ...

    async def events_since(
        self, credentials: ProviderCredentials, company: CompanyId, since: datetime | None
    ) -> Sequence[ProviderEvent]:
        """The company's monitoring events after `since` (all known when None), oldest first."""
        ...


# --- the store ports ------------------------------------------------------------------


class NotFound(LookupError):
    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"no {what} {key}")
        self.what = what
        self.key = key


class AlreadyExists(Exception):
    """A document with this id is stored already."""


class StaleWrite(Exception):
    """The document changed since it was loaded: the save was refused, nothing was written."""


@dataclass(frozen=True)
class CompanyRecord:
    """What ratings keeps of a company: who it is, its last credit file, its monthly history."""

    company: CompanyId
    name: str = ""
    provider_id: str = ""
    address: Address | None = None
    file: CreditFile | None = None
    history: tuple[MonthlyPoint, ...] = ()
    last_event_at: datetime | None = None  # the newest provider event seen
    version: int = 0


class CreditFileStore(Protocol):
    async def get(self, company: CompanyId) -> CompanyRecord | None: ...

    async def get_many(self, companies: Sequence[CompanyId]) -> dict[CompanyId, CompanyRecord]:
        """Those of `companies` that are stored, in one read."""
        ...

    async def save(self, record: CompanyRecord, change: RatingChange | None, *, expected_version: int) -> CompanyRecord:
        """Write `record` over the stored version `expected_version` (0: not stored yet), with the
        `RatingUpdated` of `change` in the same write; StaleWrite otherwise. Returns it, version moved on."""
        ...


class PortfolioStore(Protocol):
    async def get(self, portfolio_id: str) -> Portfolio:
        """The portfolio, or NotFound."""
        ...

    async def add(self, portfolio: Portfolio, events: Sequence[PortfolioChange]) -> None:
        """Store a new portfolio with its events; AlreadyExists when the id is taken."""
        ...

    async def save(
        self, portfolio: Portfolio, events: Sequence[PortfolioChange], *, expected_version: int
    ) -> Portfolio:
        """Replace the portfolio stored at `expected_version`, with its events; StaleWrite otherwise."""
        ...

    async def delete(self, portfolio: Portfolio, event: PortfolioChange, *, expected_version: int) -> None:
        """Delete it (its `PortfolioChanged` still goes out); StaleWrite when it changed meanwhile."""
        ...

    async def visible_to(self, account_id: str, company_spaces: Collection[str]) -> Sequence[Portfolio]:
        """The account's own portfolios and those shared in the given company spaces."""
        ...

    async def record_entry(self, portfolio_id: str, entry: Entry, alerts: Sequence[Alert]) -> bool:
        """Replace one company's entry, with its alerts, in one write; False when the portfolio or the
        company is gone (removed meanwhile). Other entries and fields are untouched."""
        ...

    async def record_entries(
        self, portfolio_id: str, revision: int, entries: Sequence[tuple[int, Entry]], alerts: Sequence[Alert]
    ) -> bool:
        """Replace several entries by their position, with the alerts, in one write, if the portfolio is
        still at `revision` (positions unchanged); False otherwise (the caller records them one by one)."""
        ...

    async def mark_monitored(self, portfolio_id: str, at: datetime) -> None: ...

    async def claim_due(self, now: datetime) -> Portfolio | None:
        """Claim one active portfolio whose monitoring is due (a lease: one holder at a time)."""
        ...

    async def monitoring_scheduled(self, portfolio_id: str, next_at: datetime) -> bool:
        """End the claim and set the next monitoring; False when the claim was lost."""
        ...

    async def release_monitoring(self, portfolio_id: str) -> None: ...


class JobStore(Protocol):
    async def add(self, job: CheckJob) -> bool:
        """Store a new job; False (nothing written) when its id exists already."""
        ...

    async def get(self, job_id: str) -> CheckJob:
        """The job, or NotFound."""
        ...

    async def running_for(self, portfolio_id: str) -> CheckJob | None: ...

    async def claim(self) -> CheckJob | None:
        """Claim one running job nobody holds (a lease: renewed while held, lapsing when its holder dies)."""
        ...

    async def record(self, job: CheckJob, outcomes: Sequence[tuple[int, CompanyOutcome]]) -> bool:
        """Store companies' outcomes (by their position) of a held job in one write; False when the
        claim was lost."""
        ...

    async def finish(self, job: CheckJob) -> bool:
        """Store the finished job and end the claim; False when the claim was lost."""
        ...

    async def release(self, job_id: str) -> None: ...


class ProviderAccounts(Protocol):
    """Users' accounts at the provider, their secrets sealed at rest."""

    async def get(self, account_id: str) -> ProviderCredentials | None: ...

    async def put(self, account_id: str, credentials: ProviderCredentials, at: datetime) -> None: ...

    async def remove(self, account_id: str) -> bool: ...

    async def connected_at(self, account_id: str) -> datetime | None: ...


class LegacyStore(Protocol):
    async def get(self, legacy_id: str) -> LegacyImport | None: ...

    async def put(self, record: LegacyImport) -> None:
        """Store (or replace, while not attached) a legacy account's import."""
        ...

    async def record_migration(self, legacy_id: str, account_id: str, at: datetime) -> None: ...

    async def migrated_to(self, legacy_id: str) -> str | None: ...


class RightsPort(Protocol):
    """Ratings' local view of teams' rights (`chassis.rights.RightsView`)."""

    async def may(self, company_id: str, member_id: str, right: Right) -> bool: ...

    async def companies_with(self, member_id: str, right: Right) -> list[str]: ...


@dataclass(frozen=True)
class RatingsPolicy:
    history_months: int = 24
    check_concurrency: int = 8
    check_batch: int = 25  # outcomes (and entries) written together
    rate_limit_retries: int = 5
    rate_limit_wait_max_s: float = 60.0
    monitoring_cadence: timedelta = timedelta(hours=24)


def _no_wake() -> None:
    return None


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RatingsPorts:
    """Everything a handler may use, wired once by the app (real adapters) or by a test (fakes)."""

    files: CreditFileStore
    portfolios: PortfolioStore
    jobs: JobStore
    accounts: ProviderAccounts
    legacy: LegacyStore
    provider: CreditProvider
    rights: RightsPort
    clock: Clock
    new_id: Callable[[], str]
    policy: RatingsPolicy = field(default_factory=RatingsPolicy)
    wake_checks: Callable[[], None] = _no_wake  # a new job: the runner starts at once
    sleep: Callable[[float], Awaitable[None]] = _sleep  # waits on a 429 (a test records them instead)
