"""Settings every service shares; each service subclasses with its own prefix.

Built in the app factory, never at import time, so tests and tools can pass
their own. Secrets have no usable default outside development and test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chassis.clientaddress import Network, proxy_networks
from chassis.crypto import FieldCipher, cipher_from
from chassis.topics import TopicPolicy, client_options

Environment = Literal["development", "test", "production"]
KafkaSecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]

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
    # A failed JWKS fetch is remembered this long: requests fail fast meanwhile.
    jwks_failure_cache_seconds: float = Field(default=3.0, ge=0)
    # How far back the revocation feed reads, and how long a revocation is kept:
    # at least the access-token lifetime (identity's ACCESS_TOKEN_TTL_SECONDS).
    revocation_window_seconds: int = Field(default=900, ge=1)

    otel_exporter_otlp_endpoint: str | None = None

    # Every process reads Kafka, the gateway included (the revoked sessions), as
    # its own principal (SASL/SCRAM) under ACLs limiting it to its own topics and
    # what it consumes.
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str = ""
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr | None = None
    # Request bodies: above this many bytes, 413 (a declared Content-Length is refused
    # before the body is read; a streamed one is cut). The routes in `document_paths`
    # (exact paths, or prefixes ending with `*`) take documents: `max_document_bytes`.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_document_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    document_paths: tuple[str, ...] = ()

    def body_limits(self) -> dict[str, int]:
        """The larger limit of each document path (for `BodySizeLimitMiddleware`)."""
        return {path: self.max_document_bytes for path in self.document_paths}

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

    @model_validator(mode="after")
    def _fill_kafka_defaults(self) -> Self:
        # Frozen models: defaults derived from the service name are set once here.
        if not self.kafka_client_id:
            object.__setattr__(self, "kafka_client_id", self.service_name)
        if not self.kafka_sasl_username:
            object.__setattr__(self, "kafka_sasl_username", self.service_name)
        if self.kafka_security_protocol.startswith("SASL_"):
            prefix = str(self.model_config.get("env_prefix", "")).upper()
            self.require_secret(f"{prefix}KAFKA_SASL_PASSWORD", self.kafka_sasl_password)
        return self

    @property
    def kafka_client_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments for this process's principal (raw clients, admin)."""
        password = self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None
        return client_options(
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=password,
        )

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
    # Fail fast: how long an operation waits for an unreachable server (selection and
    # connection) before the request answers 503, and for a silent socket.
    mongo_timeout_ms: int = Field(default=1000, ge=100)
    mongo_socket_timeout_ms: int = Field(default=10_000, ge=100)

    # Topics as code: every topic the service creates gets these (one setting
    # for all topics; 1/1 on one broker, 3/2 on a cluster).
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_min_insync_replicas: int = Field(default=1, ge=1)
    # Relay: how often it looks for pending events when not woken up by a write.
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1)
    # Per-entry backoff of a failed delivery (events, mail), capped; an entry
    # failing by its own fault this many times is parked (ADR 0007).
    outbox_backoff_seconds: float = Field(default=0.5, gt=0)
    outbox_max_backoff_seconds: float = Field(default=10.0, gt=0)
    outbox_max_attempts: int = Field(default=10, ge=1)
    # How often the relay adopts documents holding entries without their marker.
    outbox_adopt_seconds: float = Field(default=30.0, gt=0)
    # Sweeper (ADR 0008): how often it prunes, and how long the inbox is kept.
    sweeper_interval_seconds: float = Field(default=600.0, gt=0)
    inbox_retention_days: float = Field(default=14.0, gt=0)
    # Consumers: attempts of a failing handler before its message is dead-lettered.
    consumer_max_attempts: int = Field(default=4, ge=1)
    consumer_backoff_seconds: float = Field(default=0.2, ge=0)
    consumer_backoff_max_seconds: float = Field(default=5.0, ge=0)
    # Records handled per offset commit (and per inbox round trip).
    consumer_batch_size: int = Field(default=200, ge=1)
    # Tests only (chassis.clock.OffsetFileClock): the service's time is the system's plus the
    # seconds this file holds, so an end-to-end test moves a running service's deadlines. Refused
    # in production.
    clock_offset_file: Path | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        # Frozen models: defaults derived from the service name are set once here.
        if self.clock_offset_file is not None and self.is_production:
            raise ValueError("clock_offset_file moves time for tests: it cannot be set in production")
        if not self.mongo_db:
            object.__setattr__(self, "mongo_db", self.service_name)
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError("kafka_min_insync_replicas cannot exceed kafka_replication_factor")
        return self

    @property
    def topic_policy(self) -> TopicPolicy:
        return TopicPolicy(
            partitions=self.kafka_topic_partitions,
            replication_factor=self.kafka_replication_factor,
            min_insync_replicas=self.kafka_min_insync_replicas,
        )


def service_config(env_prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore", frozen=True)


class MailSettings(ServiceSettings):
    """A service that sends mail through the durable courier (`chassis.mail`): where its SMTP
    server is and who the mail is from. Subclass it instead of ServiceSettings."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "creditdesk <no-reply@creditdesk.dev>"
