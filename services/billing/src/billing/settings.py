"""Billing's settings: environment variables prefixed `BILLING_`."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from billing.domain.bank import validate_bank_account
from chassis.crypto import FieldCipher
from chassis.settings import ServiceSettings, service_config


class BillingSettings(ServiceSettings):
    model_config = service_config("BILLING_")

    service_name: str = "billing"
    http_port: int = 8002

    # Days between installments (and between regularisation payments): DOMAIN.md's "monthly".
    installment_interval_days: int = Field(default=30, ge=1, le=366)
    # Bounded retries of a declined debit: hours to wait before each retry.
    debit_retry_delays_hours: tuple[int, ...] = (72, 168)
    # The debit scheduler: how often it looks for due debits, how many it runs at once.
    debit_run_interval_seconds: float = Field(default=60.0, gt=0)
    debit_run_concurrency: int = Field(default=8, ge=1, le=64)
    # A claimed schedule is leased to one runner (chassis.leases): the live runner renews
    # its leases every `debit_lease_renew_seconds` (default a third of the lease); a dead
    # runner's claims lapse and are taken over within `debit_lease_seconds`.
    debit_lease_seconds: float = Field(default=10.0, gt=0)
    debit_lease_renew_seconds: float | None = Field(default=None, gt=0)
    debit_scheduler_enabled: bool = True
    # Which payment provider: only the deterministic simulator exists today.
    payment_provider: Literal["simulator"] = "simulator"
    # Told to a customer whose regularisation payment is rejected.
    collections_phone: str = "+33 1 84 88 00 00"
    # SEPA creditor identifier (ICS) printed on every mandate.
    sepa_creditor_identifier: str = "FR72ZZZ123456"
    # creditdesk as the SEPA creditor of recovery's fees (the pain.008 file's creditor).
    sepa_creditor_name: str = "creditdesk SAS"
    sepa_creditor_iban: str = "FR7630006000011234567890189"
    sepa_creditor_bic: str = "AGRIFRPPXXX"
    # The pain.008 version of the batch file (both are shipped, with their XSD, by sepaxml).
    sepa_pain008_version: Literal["pain.008.001.02", "pain.008.001.08"] = "pain.008.001.02"
    # A collection is pre-notified (mailed) this many calendar days ahead: 14 at least (SEPA rulebook).
    sepa_prenotification_days: int = Field(default=14, ge=14, le=60)
    # The fee collection job: plans pending fees into pre-notified collections, lapses unused mandates.
    fee_collection_interval_seconds: float = Field(default=3600.0, gt=0)
    fee_collection_scheduler_enabled: bool = True
    fee_lease_seconds: float = Field(default=30.0, gt=0)
    # Who may produce and download the SEPA batch files (POST /sepa/batches ...).
    sepa_batch_roles: tuple[str, ...] = ("support", "operator")
    # The SMTP relay of the pre-notification mails (the chassis' durable courier).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "creditdesk <facturation@creditdesk.dev>"
    # The terms of use a creditor accepts at onboarding.
    terms_version: str = "2026-01"
    # Who may trigger a debit run by hand (POST /debit-runs), in every environment.
    operator_role: str = "operator"
    # How far from now a debit run's `as_of` may be, either way.
    debit_run_as_of_window_days: int = Field(default=366, ge=1, le=3660)

    @model_validator(mode="after")
    def _renew_before_lapse(self) -> Self:
        if self.debit_lease_renew_seconds is not None and self.debit_lease_renew_seconds >= self.debit_lease_seconds:
            raise ValueError("debit_lease_renew_seconds must be shorter than debit_lease_seconds")
        return self

    # Key ring that seals IBANs and BICs at rest (`chassis.crypto`: `<kid>:<base64 of
    # 32 bytes>`, comma-separated, the first encrypts). Required in production;
    # development and test use a fixed development key.
    field_encryption_key: SecretStr | None = None

    @model_validator(mode="after")
    def _sepa_creditor(self) -> Self:
        validate_bank_account(self.sepa_creditor_iban, self.sepa_creditor_bic)  # BankDetailsError names the field
        return self

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        _ = self.field_cipher  # a missing or malformed key ring fails at start, with its reason
        return self

    @property
    def field_cipher(self) -> FieldCipher:
        return self.key_ring("BILLING_FIELD_ENCRYPTION_KEY", self.field_encryption_key, "billing-fields")
