"""Settings every service shares; each service subclasses with its own prefix.

Built in the app factory, never at import time, so tests and tools can pass
their own. Secrets have no usable default outside development and test.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chassis.clientaddress import Network, proxy_networks
from chassis.crypto import FieldCipher, cipher_from

Environment = Literal["development", "test", "production"]

# Values that must never reach production.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev-secret", "development"})


class ProcessSettings(BaseSettings):
    """What every process has, the gateway included: identity, where it listens,
    how it logs and traces, how it verifies tokens."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    environment: Environment = "development"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"

    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    jwt_issuer: str = "creditdesk-identity"
    jwt_audience: str = "creditdesk"

    otel_exporter_otlp_endpoint: str | None = None

    # The client's address (`chassis.clientaddress`): the gateway signs the one it
    # forwards with this key, shared with the services, which trust only a valid
    # signature. Production refuses to start without it where an address is used.
    client_address_key: SecretStr | None = None
    # CIDRs (comma-separated) of the proxies whose X-Forwarded-For is read: the
    # gateway's own front. None by default: the socket peer is the client.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        proxy_networks(value.split(","))
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def proxy_networks(self) -> tuple[Network, ...]:
        return proxy_networks(self.trusted_proxies.split(","))

    @property
    def client_key(self) -> bytes | None:
        return self.client_address_key.get_secret_value().encode() if self.client_address_key else None

    def require_secret(self, name: str, value: SecretStr | None) -> None:
        """Refuse a missing or placeholder secret outside development and test."""
        if self.environment in ("development", "test"):
            return
        if value is None or value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(f"{name} must be set to a real secret when environment={self.environment}")

    def key_ring(self, name: str, value: SecretStr | None, purpose: str) -> FieldCipher:
        """The `chassis.crypto` key ring of a setting (validated; required outside
        development and test, where the fixed development key of `purpose` stands in)."""
        self.require_secret(name, value)
        return cipher_from(value.get_secret_value() if value else None, purpose)


class ServiceSettings(ProcessSettings):
    """Settings of a business service (Mongo, Kafka, outbox, consumer).
    Subclasses set `model_config = service_config("BILLING_")`."""

    mongo_url: SecretStr = SecretStr("mongodb://127.0.0.1:27017")
    mongo_db: str = ""
    mongo_timeout_ms: int = Field(default=5000, ge=100)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str = ""
    # Relay: how often it looks for pending events when not woken up by a write.
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1)
    # Consumers: attempts of a failing handler before its message is dead-lettered.
    consumer_max_attempts: int = Field(default=4, ge=1)
    consumer_backoff_seconds: float = Field(default=0.2, ge=0)
    consumer_backoff_max_seconds: float = Field(default=5.0, ge=0)
    # Records handled per offset commit (and per inbox round trip).
    consumer_batch_size: int = Field(default=200, ge=1)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        # Frozen models: defaults derived from the service name are set once here.
        if not self.mongo_db:
            object.__setattr__(self, "mongo_db", self.service_name)
        if not self.kafka_client_id:
            object.__setattr__(self, "kafka_client_id", self.service_name)
        return self


def service_config(env_prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore", frozen=True)
