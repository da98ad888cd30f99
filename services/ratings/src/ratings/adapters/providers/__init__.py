"""The credit-information providers behind `ratings.ports.CreditProvider`, chosen by settings.

- `local.LocalProvider`: deterministic, offline, credit files evolving with the clock
  (development, tests, the bench);
- `creditsafe.CreditsafeClient`: the HTTP client of a Creditsafe-Connect-shaped API
  (token cache, timeouts, retries, 429, circuit breaker).

`provider_from_settings` builds the one `RatingsSettings.provider` names; the app
closes it (`aclose`) when it stops.
"""

from __future__ import annotations

from typing import Protocol

from chassis.clock import Clock
from ratings.adapters.providers.local import LocalProvider
from ratings.ports import CreditProvider
from ratings.settings import RatingsSettings


class ManagedProvider(CreditProvider, Protocol):
    """A provider the app owns: it releases its connections on `aclose`."""

    async def aclose(self) -> None: ...


def provider_from_settings(settings: RatingsSettings, *, clock: Clock | None = None) -> ManagedProvider:
    """The provider the settings choose (`RATINGS_PROVIDER`: local or creditsafe)."""
    if settings.provider == "local":
        return LocalProvider(
            clock=clock,
            companies_per_country=settings.local_provider_companies_per_country,
            latency_s=settings.local_provider_latency_s,
        )
    from ratings.adapters.providers.creditsafe import CreditsafeClient

    return CreditsafeClient.from_settings(settings, clock=clock)


__all__ = ["LocalProvider", "ManagedProvider", "provider_from_settings"]
