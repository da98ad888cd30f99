"""Settings of the gateway, read from `GATEWAY_*` environment variables.

The gateway has no MongoDB and publishes nothing: it builds on
`chassis.settings.ProcessSettings` (listening, logging, tracing, token
verification), not on `ServiceSettings`. It reads one topic from Kafka, the
revoked sessions (`chassis.revocation`). Built in the app factory, never at
import time.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from chassis.settings import ProcessSettings, service_config

# The services behind the gateway, in the order they are documented and probed.
SERVICES: tuple[str, ...] = ("identity", "billing", "recovery", "ratings", "teams")


class GatewaySettings(ProcessSettings):
    model_config = service_config("GATEWAY_")

    service_name: str = "gateway"
    http_port: int = Field(default=8000, ge=1, le=65535)
    # Routes that take documents get a larger body limit (teams' claim carries a Kbis extract,
    # recovery's filing form its proofs).
    document_paths: tuple[str, ...] = ("/api/teams/companies", "/api/recovery/cases")
    max_document_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)

    identity_url: str = "http://127.0.0.1:8001"
    billing_url: str = "http://127.0.0.1:8002"
    recovery_url: str = "http://127.0.0.1:8003"
    ratings_url: str = "http://127.0.0.1:8004"
    teams_url: str = "http://127.0.0.1:8005"

    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    max_connections_per_service: int = Field(default=100, ge=1)

    # Token bucket per client: refills at rate_limit_per_minute / 60 tokens a second,
    # holds at most rate_limit_burst tokens. 0 per minute disables rate limiting.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Anonymous clients are keyed by their real address (`chassis.clientaddress`): the
    # socket peer, or, when the peer is in GATEWAY_TRUSTED_PROXIES (the gateway's own
    # front), the nearest X-Forwarded-For entry that is not one of those proxies.

    # The gateway's own /metrics: when set, only a request with this bearer token gets them
    # (Prometheus: `authorization: {credentials_file: ...}`). Services' /metrics are never
    # forwarded (`/api/<service>/metrics` is 404); Prometheus scrapes each service directly.
    metrics_token: SecretStr | None = None

    # Merged OpenAPI: how long a service's document is reused before it is fetched again.
    openapi_cache_seconds: float = Field(default=60.0, ge=0)
    # /ready: how long to wait for each service's /ready.
    ready_timeout_seconds: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("GATEWAY_CLIENT_ADDRESS_KEY", self.client_address_key)
        return self

    @field_validator("identity_url", "billing_url", "recovery_url", "ratings_url", "teams_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        # Several instances of a service: their base URLs separated by commas (scale-out, ADR 0037).
        urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
        if not urls:
            raise ValueError("no URL given")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return ",".join(urls)

    @property
    def service_urls(self) -> dict[str, str]:
        """Base URL of each service (of its first instance), by the name used in `/api/<service>/...`."""
        return {name: urls[0] for name, urls in self.instance_urls.items()}

    @property
    def instance_urls(self) -> dict[str, tuple[str, ...]]:
        """Base URLs of every instance of each service: the gateway spreads its calls over them."""
        return {name: tuple(str(getattr(self, f"{name}_url")).split(",")) for name in SERVICES}
