"""Identity's settings: environment variables prefixed `IDENTITY_`."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from chassis.crypto import FieldCipher
from chassis.settings import MailSettings, service_config


class IdentitySettings(MailSettings):
    model_config = service_config("IDENTITY_")

    service_name: str = "identity"
    http_port: int = 8001

    # Where links in mails point (the gateway's public address).
    public_base_url: str = "http://127.0.0.1:8000"

    activation_ttl_hours: int = Field(default=48, ge=1)
    access_token_ttl_seconds: int = Field(default=900, ge=60)
    # Access tokens of merchant API clients (client-credentials grant): short, no refresh.
    client_token_ttl_seconds: int = Field(default=300, ge=60, le=3600)
    refresh_token_ttl_days: int = Field(default=30, ge=1)
    recovery_ttl_minutes: int = Field(default=60, ge=5)
    first_connection_ttl_hours: int = Field(default=48, ge=1)
    # A first connection asked for an email with no known order yet is remembered this
    # long: the mail goes when billing's ScheduleCreated for it arrives (issue #15).
    first_connection_wait_minutes: int = Field(default=10, ge=1, le=1440)
    migration_ticket_ttl_minutes: int = Field(default=30, ge=5)
    # Two mails of one kind (activation resend, recovery, notices) to one
    # address are at least this far apart; extra requests get the same answer.
    mail_resend_interval_seconds: int = Field(default=60, ge=0)

    # argon2id cost (OWASP Password Storage Cheat Sheet's first argon2id
    # profile: 19 MiB, 2 passes, 1 lane); hashes made with other parameters
    # are rehashed at the next successful login.
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19456, ge=8192)
    argon2_parallelism: int = Field(default=1, ge=1)

    # Lockout: this many failed logins within the window lock the email (and,
    # with the larger count, the client address) for the lock duration.
    lockout_account_failures: int = Field(default=5, ge=1)
    lockout_address_failures: int = Field(default=100, ge=1)
    lockout_window_seconds: int = Field(default=900, ge=1)
    lockout_seconds: int = Field(default=900, ge=1)
    # Requests that send mail (registration, resend, recovery, first
    # connection, migration), per client address and fixed window.
    mail_requests_per_address: int = Field(default=100, ge=1)
    mail_requests_window_seconds: int = Field(default=900, ge=1)

    # PEM of an Ed25519 key managed outside identity, that signs access tokens.
    # Without it identity generates its keys and keeps them in its database,
    # private halves encrypted with the key-encryption key below (rotation by
    # `python -m identity.admin rotate-key`).
    signing_key_pem: SecretStr | None = None
    # Key ring that encrypts the stored private keys (`chassis.crypto`:
    # `<kid>:<base64 of 32 bytes>`, comma-separated, the first encrypts).
    # Required in production; development and test use a fixed development key.
    key_encryption_key: SecretStr | None = None

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("IDENTITY_CLIENT_ADDRESS_KEY", self.client_address_key)
        _ = self.key_cipher  # a missing or malformed key ring fails at start, with its reason
        return self

    @property
    def key_cipher(self) -> FieldCipher:
        return self.key_ring("IDENTITY_KEY_ENCRYPTION_KEY", self.key_encryption_key, "identity-signing-keys")
