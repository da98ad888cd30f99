"""The catalogue of the platform's HTTP processes: names, packages, ports, env.

This is the single place those names and their configuration variables are
defined; the docker-compose consistency test imports `service_processes`.
Ports themselves come from StackConfig (config.DEV_PORTS + profile offset).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .bus import ADMIN, SCRAM_MECHANISM, KafkaCredentials, local_topic_policy
from .component import Component
from .config import StackConfig
from .processes import http_ok
from .secrets import stack_secrets

# Backend services, each a package of the same name exposing `<name>.app:create_app`.
BACKENDS: tuple[str, ...] = ("identity", "billing", "recovery", "ratings", "teams")
GATEWAY = "gateway"
# The web portal: a client of the gateway's public API (no Kafka), with its own Mongo database of sessions.
PORTAL = "portal"
# Start order: identity serves the JWKS everyone else fetches; the gateway
# fronts the rest. Members of one wave start concurrently.
START_WAVES: tuple[tuple[str, ...], ...] = (
    ("identity",),
    ("billing", "recovery", "ratings", "teams"),
    (GATEWAY,),
    (PORTAL,),
)
READY_PATH = "/ready"
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    package: str
    port: int
    env: Mapping[str, str]  # only the platform's variables, added to os.environ at start

    @property
    def app(self) -> str:
        return f"{self.package}.app:create_app"

    def argv(self, python: str = sys.executable, host: str = "127.0.0.1") -> list[str]:
        # --no-proxy-headers: uvicorn would otherwise take the client address from
        # X-Forwarded-For for any peer on 127.0.0.1, that is anyone on this host;
        # the platform decides which forwarded address to trust (chassis.clientaddress).
        return [
            *[python, "-m", "uvicorn", "--factory", self.app],
            *["--host", host, "--port", str(self.port), "--no-proxy-headers"],
        ]


def kafka_credentials(config: StackConfig) -> KafkaCredentials:
    """The stack's Kafka users: one per backend and the admin (generated once per stack)."""
    return KafkaCredentials(config.kafka_dir / "credentials.json", (ADMIN, *BACKENDS, GATEWAY))


CLOCK_OFFSET_SERVICES: tuple[str, ...] = ("billing", "recovery")


def clock_offset_file(config: StackConfig) -> Path:
    """The file whose seconds the test stack's recovery and billing add to their time."""
    return config.state_dir / "clock-offset"


def service_processes(
    config: StackConfig,
    host: Callable[[str], str] = lambda _name: "127.0.0.1",
    kafka_password: Callable[[str], str] | None = None,
) -> list[ServiceProcess]:
    """Every platform process, in start order. `host(name)` maps a component
    (kafka, mongo, smtp, identity, ...) to the host others reach it on;
    `kafka_password(service)` gives its SCRAM password (default: the stack's
    generated credentials)."""
    password = kafka_password or kafka_credentials(config).password

    def url(name: str) -> str:
        return f"http://{host(name)}:{config.port(name)}"

    def kafka(name: str) -> dict[str, str]:
        # Its own Kafka principal: ACLs let it write its topics, read what it consumes.
        prefix = name.upper()
        return {
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": f"{host('kafka')}:{config.port('kafka_sasl')}",
            f"{prefix}_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            f"{prefix}_KAFKA_SASL_MECHANISM": SCRAM_MECHANISM,
            f"{prefix}_KAFKA_SASL_USERNAME": name,
            f"{prefix}_KAFKA_SASL_PASSWORD": password(name),
        }

    secrets = stack_secrets(config)

    def common(name: str) -> dict[str, str]:
        prefix = name.upper()
        return {
            # The key the gateway signs the client's address with (chassis.clientaddress).
            f"{prefix}_CLIENT_ADDRESS_KEY": secrets["client_address_key"],
            f"{prefix}_ENVIRONMENT": config.environment,
            f"{prefix}_HTTP_PORT": str(config.port(name)),
            f"{prefix}_MONGO_URL": f"mongodb://{host('mongo')}:{config.port('mongo')}",
            f"{prefix}_MONGO_DB": name,
            **kafka(name),
            # The same partition count as the topics devstack creates.
            f"{prefix}_KAFKA_TOPIC_PARTITIONS": str(local_topic_policy().partitions),
            f"{prefix}_JWKS_URL": f"{url('identity')}/.well-known/jwks.json",
        }

    envs: dict[str, dict[str, str]] = {name: common(name) for name in BACKENDS}
    envs["identity"] |= {
        "IDENTITY_SMTP_HOST": host("smtp"),
        "IDENTITY_SMTP_PORT": str(config.port("smtp")),
        "IDENTITY_PUBLIC_BASE_URL": url(PORTAL),
        "IDENTITY_KEY_ENCRYPTION_KEY": secrets["identity_key_encryption_key"],
    }
    envs["billing"] |= {
        "BILLING_FIELD_ENCRYPTION_KEY": secrets["billing_field_encryption_key"],
        # The SEPA pre-notification mails of recovery's fees.
        "BILLING_SMTP_HOST": host("smtp"),
        "BILLING_SMTP_PORT": str(config.port("smtp")),
    }
    envs["ratings"] |= {"RATINGS_FIELD_ENCRYPTION_KEY": secrets["ratings_field_encryption_key"]}
    if config.profile != "dev":
        # Every test client is 127.0.0.1: the per-address limits (proven by
        # identity's own service tests) would count the whole suite as one
        # client. The per-email lockout stays as in production.
        envs["identity"] |= {
            "IDENTITY_MAIL_REQUESTS_PER_ADDRESS": "1000000",
            "IDENTITY_LOCKOUT_ADDRESS_FAILURES": "1000000",
        }
    if config.profile != "dev":
        # The services whose deadlines end-to-end tests move (recovery's 15 days and month, billing's
        # 14-day pre-notification) share one clock offset file (chassis.clock.OffsetFileClock).
        # Not identity: its tokens' iat and exp are checked against the real time.
        for name in CLOCK_OFFSET_SERVICES:
            envs[name][f"{name.upper()}_CLOCK_OFFSET_FILE"] = str(clock_offset_file(config))
        # Once a test moved the clock, recovery's sweeper applies the due transitions within a second.
        envs["recovery"]["RECOVERY_SWEEP_INTERVAL_SECONDS"] = "1"
    envs["teams"] |= {
        "TEAMS_SMTP_HOST": host("smtp"),
        "TEAMS_SMTP_PORT": str(config.port("smtp")),
        "TEAMS_PUBLIC_BASE_URL": url(PORTAL),
        # The local SMS adapter's files, next to the SMTP sink's mail of the same profile.
        "TEAMS_SMS_SINK_DIR": str(config.state_dir / "sms"),
    }
    # Recovery's local postal adapter writes each letter (PDF + manifest) there, like the SMTP sink's mail.
    envs["recovery"] |= {
        "RECOVERY_POSTAL_DIR": str(config.state_dir / "postal"),
        # The debtor's and the merchant's mail (the chassis courier) and the debtor space's links.
        "RECOVERY_SMTP_HOST": host("smtp"),
        "RECOVERY_SMTP_PORT": str(config.port("smtp")),
        "RECOVERY_PUBLIC_BASE_URL": url(PORTAL),
    }
    envs[GATEWAY] = {
        "GATEWAY_ENVIRONMENT": config.environment,
        "GATEWAY_HTTP_PORT": str(config.port(GATEWAY)),
        "GATEWAY_JWKS_URL": f"{url('identity')}/.well-known/jwks.json",
        # The gateway reads the revoked sessions (SessionsRevoked) from Kafka, as its own principal.
        **kafka(GATEWAY),
        "GATEWAY_CLIENT_ADDRESS_KEY": secrets["client_address_key"],
        **{f"GATEWAY_{name.upper()}_URL": url(name) for name in BACKENDS},
    }
    if config.profile != "dev":
        # Every test client is 127.0.0.1, one bucket for the whole suite: the
        # limiter is proven by the gateway's own tests, and lifted here so the
        # end-to-end and fuzz tests reach the services.
        envs[GATEWAY]["GATEWAY_RATE_LIMIT_PER_MINUTE"] = "0"
    # Mailed links (activation, recovery, invitation, debtor space) land on the portal's pages.
    envs[PORTAL] = {
        "PORTAL_ENVIRONMENT": config.environment,
        "PORTAL_HTTP_PORT": str(config.port(PORTAL)),
        "PORTAL_MONGO_URL": f"mongodb://{host('mongo')}:{config.port('mongo')}",
        "PORTAL_MONGO_DB": PORTAL,
        "PORTAL_GATEWAY_URL": url(GATEWAY),
        "PORTAL_PUBLIC_URL": url(PORTAL),
        # The local stacks serve plain http on 127.0.0.1.
        "PORTAL_COOKIE_SECURE": "false",
    }
    order = [name for wave in START_WAVES for name in wave]
    return [ServiceProcess(name, name, config.port(name), envs[name]) for name in order]


class Service(Component):
    """One uvicorn process serving a platform package."""

    ready_timeout = READY_TIMEOUT
    stop_timeout = 10.0

    def __init__(self, config: StackConfig, spec: ServiceProcess, python: str = sys.executable) -> None:
        super().__init__(config, spec.name, [spec.name])
        self.spec = spec
        self.python = python

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def argv(self) -> list[str]:
        return self.spec.argv(self.python, self.host)

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1", **self.spec.env}

    def probe(self) -> bool:
        return http_ok(self.url + READY_PATH)
