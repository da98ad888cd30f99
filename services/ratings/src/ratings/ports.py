"""The ports of ratings: what its handlers need from the world, as Protocols.

The credit-information provider is behind `CreditProvider`: the HTTP client of a
Creditsafe-Connect-shaped API and the deterministic local provider both implement it
(`ratings.adapters.providers`), chosen by settings. Store ports are added beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ratings.domain.companies import Company, CompanyId
from ratings.domain.credit_file import CreditFile


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
