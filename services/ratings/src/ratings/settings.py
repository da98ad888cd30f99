"""Ratings's settings: environment variables prefixed `RATINGS_`."""

from typing import Literal

from pydantic import Field

from chassis.settings import ServiceSettings, service_config


class RatingsSettings(ServiceSettings):
    model_config = service_config("RATINGS_")

    service_name: str = "ratings"
    http_port: int = 8004

    # The credit-information provider (`ratings.adapters.providers`, README "Providers").
    provider: Literal["local", "creditsafe"] = "local"
    # Creditsafe Connect: the sandbox by default; production is https://connect.creditsafe.com/v1.
    provider_base_url: str = "https://connect.sandbox.creditsafe.com/v1"
    provider_connect_timeout_s: float = Field(default=3.0, gt=0)
    provider_read_timeout_s: float = Field(default=15.0, gt=0)
    # Attempts per call on 5xx and connection errors (1 = no retry), with exponential backoff and jitter.
    provider_retry_attempts: int = Field(default=3, ge=1, le=10)
    provider_retry_backoff_s: float = Field(default=0.2, ge=0)
    provider_retry_backoff_max_s: float = Field(default=2.0, ge=0)
    # The longest a call waits in all for 429s' Retry-After; beyond, ProviderRateLimited.
    provider_rate_limit_budget_s: float = Field(default=10.0, ge=0)
    # The circuit opens after this many failed calls in a row, and half-opens after the TTL.
    provider_breaker_threshold: int = Field(default=5, ge=1)
    provider_breaker_ttl_s: float = Field(default=30.0, gt=0)
    # The token lives an hour; it is renewed this long before it expires.
    provider_token_ttl_s: float = Field(default=3600.0, gt=0)
    provider_token_renew_margin_s: float = Field(default=300.0, ge=0)
    # The provider's page of a company (the seed's "Voir la page creditsafe"); {connect_id} is replaced.
    provider_page_url: str = "https://app.creditsafe.com/companies/{connect_id}"
    # The deterministic local provider: its directory's size and a latency per call (for the bench).
    local_provider_companies_per_country: int = Field(default=100, ge=1, le=10_000)
    local_provider_latency_s: float = Field(default=0.0, ge=0)
