"""Ratings's settings: environment variables prefixed `RATINGS_`."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from pydantic import Field, SecretStr, model_validator

from chassis.crypto import FieldCipher
from chassis.settings import ServiceSettings, service_config
from ratings.ports import RatingsPolicy


class RatingsSettings(ServiceSettings):
    model_config = service_config("RATINGS_")

    service_name: str = "ratings"
    http_port: int = 8004

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
