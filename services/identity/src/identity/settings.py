"""Identity's settings: environment variables prefixed `IDENTITY_`."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from chassis.settings import ServiceSettings, service_config


class IdentitySettings(ServiceSettings):
    model_config = service_config("IDENTITY_")

    service_name: str = "identity"
    http_port: int = 8001

    # Where links in mails point (the gateway's public address).
    public_base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "creditdesk <no-reply@creditdesk.dev>"

    activation_ttl_hours: int = Field(default=48, ge=1)
    access_token_ttl_seconds: int = Field(default=900, ge=60)
    # PEM of the Ed25519 key that signs access tokens. Development and test
    # generate one and keep it in the database; production must provide it.
    signing_key_pem: SecretStr | None = None

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("IDENTITY_SIGNING_KEY_PEM", self.signing_key_pem)
        return self
