"""Teams's settings: environment variables prefixed `TEAMS_`."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from pydantic import Field, SecretStr, model_validator

from chassis.settings import MailSettings, service_config
from teams.domain.invitations import InvitationPolicy

# Development and test only: production refuses to start without a real key.
DEVELOPMENT_CODE_KEY = "teams-development-code-key"


class TeamsSettings(MailSettings):
    model_config = service_config("TEAMS_")

    service_name: str = "teams"
    http_port: int = 8005

    # Where links in mails point (the gateway's public address).
    public_base_url: str = "http://127.0.0.1:8000"

    # The local SMS adapter writes one JSON file per SMS here (relative to the
    # working directory unless absolute); the launcher passes its profile's directory.
    sms_sink_dir: str = ".cache/sms"

    # Key of the HMAC that digests SMS codes (a 6-digit code's plain hash is reversible).
    code_hash_key: SecretStr | None = None
    code_ttl_seconds: int = Field(default=600, ge=30)
    code_max_checks: int = Field(default=5, ge=1, le=10)
    code_max_resends: int = Field(default=3, ge=0, le=10)
    confirmation_ttl_hours: int = Field(default=24, ge=1)
    invitation_link_ttl_hours: int = Field(default=72, ge=1)
    # Default region of mobile numbers written without a country code.
    phone_region: str = Field(default="FR", pattern=r"^[A-Z]{2}$")
    # Largest extract (Kbis) accepted with a claim of a company space, decoded.
    claim_extract_max_bytes: int = Field(default=1_048_576, ge=1024, le=8_388_608)
    # The claim (POST /companies) carries the extract in base64 (4/3 of it): it may send
    # a larger body than other routes (chassis `max_body_bytes`, 1 MiB).
    document_paths: tuple[str, ...] = ("/companies",)
    max_document_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("TEAMS_CODE_HASH_KEY", self.code_hash_key)
        return self

    @property
    def code_key(self) -> bytes:
        key = self.code_hash_key.get_secret_value() if self.code_hash_key else DEVELOPMENT_CODE_KEY
        return key.encode()

    @property
    def invitation_policy(self) -> InvitationPolicy:
        return InvitationPolicy(
            code_ttl=timedelta(seconds=self.code_ttl_seconds),
            max_code_checks=self.code_max_checks,
            max_code_sends=1 + self.code_max_resends,
            confirmation_ttl=timedelta(hours=self.confirmation_ttl_hours),
            link_ttl=timedelta(hours=self.invitation_link_ttl_hours),
        )
