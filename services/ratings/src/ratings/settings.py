"""Ratings's settings: environment variables prefixed `RATINGS_`."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from chassis.crypto import FieldCipher
from chassis.settings import ServiceSettings, service_config
from ratings.ports import RatingsPolicy


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

    # Months of score and limit history fetched at a sync (the charts' default span).
    history_months: int = Field(default=24, ge=1, le=120)
    # "Check new events": calls in flight towards the provider per job, and what a 429 may cost.
    check_concurrency: int = Field(default=8, ge=1, le=64)
    check_rate_limit_retries: int = Field(default=5, ge=0, le=20)
    check_rate_limit_wait_max_s: float = Field(default=60.0, gt=0)
    # The job runner: how often it looks for a job nobody holds (a new job wakes it at once), and
    # the lease of a claimed job (renewed while it runs; a dead runner's job is taken over after it).
    check_poll_seconds: float = Field(default=2.0, gt=0)
    check_lease_seconds: float = Field(default=30.0, gt=0)
    # Monitoring: every active portfolio is checked this often; the loop looks for due ones every
    # `monitoring_poll_seconds`; a claim is a lease of `monitoring_lease_seconds`.
    monitoring_enabled: bool = True
    monitoring_cadence_hours: float = Field(default=24.0, gt=0)
    monitoring_poll_seconds: float = Field(default=30.0, gt=0)
    monitoring_lease_seconds: float = Field(default=30.0, gt=0)
    # Who may import a legacy account's portfolios (the role in the access token).
    support_role: str = "support"
    # Key ring that seals users' provider passwords at rest (`chassis.crypto`: `<kid>:<base64 of
    # 32 bytes>`, comma-separated, the first encrypts). Required in production; development and test
    # use a fixed development key.
    field_encryption_key: SecretStr | None = None

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        _ = self.field_cipher  # a missing or malformed key ring fails at start, with its reason
        return self

    @property
    def field_cipher(self) -> FieldCipher:
        return self.key_ring("RATINGS_FIELD_ENCRYPTION_KEY", self.field_encryption_key, "ratings-fields")

    def policy(self) -> RatingsPolicy:
        return RatingsPolicy(
            history_months=self.history_months,
            check_concurrency=self.check_concurrency,
            rate_limit_retries=self.check_rate_limit_retries,
            rate_limit_wait_max_s=self.check_rate_limit_wait_max_s,
            monitoring_cadence=timedelta(hours=self.monitoring_cadence_hours),
        )
