"""The portal's settings: environment variables prefixed `PORTAL_`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from chassis.settings import ServiceSettings, service_config

Locale = Literal["fr", "en"]
LOCALES: tuple[Locale, ...] = ("fr", "en")


class PortalSettings(ServiceSettings):
    """The portal is a client of the gateway's public API; its own Mongo database
    (`portal`) holds the server-side sessions only. It uses no Kafka: the bus
    settings inherited from the chassis are unused."""

    model_config = service_config("PORTAL_")

    service_name: str = "portal"
    http_port: int = 8080

    # The gateway's address as the portal reaches it (`/api/<service>/...`).
    gateway_url: str = "http://127.0.0.1:8000"
    # The portal's own public address (links it builds, e.g. in redirects shown to people).
    public_url: str = "http://127.0.0.1:8080"
    gateway_timeout_seconds: float = Field(default=30.0, gt=0)

    # A logged-in session ends after this long without a request, and in any case
    # after `session_max_hours`; an anonymous one (CSRF token of the login form) sooner.
    session_idle_minutes: int = Field(default=60, ge=5)
    session_max_hours: int = Field(default=12, ge=1)
    anonymous_session_minutes: int = Field(default=30, ge=5)
    session_cookie: str = "portal_session"
    default_locale: Locale = "fr"
    # Dates and times are shown in this zone (they are kept in UTC everywhere).
    display_timezone: str = "Europe/Paris"

    # GET /metrics answers only this bearer token when set (the portal is published to the
    # internet; Prometheus reads the token from a file, like the gateway's).
    metrics_token: SecretStr | None = None

    # None: `Secure` cookies outside development (a local browser reaches http://127.0.0.1).
    cookie_secure: bool | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.environment != "development" if self.cookie_secure is None else self.cookie_secure
