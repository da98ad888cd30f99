"""Profiles, ports and the service catalogue (no processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devstack import DevstackError, StackConfig
from devstack.secrets import stack_secrets
from devstack.services import kafka_credentials, service_processes


def test_profiles_use_separate_ports_and_state(tmp_path: Path) -> None:
    env = {"CREDITDESK_CACHE_DIR": str(tmp_path)}
    dev, test = StackConfig.for_profile("dev", env=env), StackConfig.for_profile("test", env=env)
    assert (dev.port("kafka"), test.port("kafka")) == (9092, 19092)
    assert (dev.port("mongo"), test.port("mongo")) == (27017, 37017)
    assert (test.port("gateway"), test.port("teams")) == (18000, 18005)
    assert dev.state_dir != test.state_dir
    assert dev.kafka_libs == test.kafka_libs == tmp_path / "infra" / "kafka-4.4.0" / "libs"
    assert dev.mongo_libs == tmp_path / "infra" / "mongo-java-server-1.47.0" / "libs"


def test_ports_are_overridable_and_validated(tmp_path: Path) -> None:
    env = {"CREDITDESK_CACHE_DIR": str(tmp_path), "CREDITDESK_KAFKA_CONTROLLER_PORT": "29093"}
    assert StackConfig.for_profile("test", env=env).port("kafka_controller") == 29093
    with pytest.raises(DevstackError, match="CREDITDESK_KAFKA_PORT='x'"):
        StackConfig.for_profile("dev", env={"CREDITDESK_KAFKA_PORT": "x"})
    with pytest.raises(DevstackError, match="configured twice"):
        StackConfig.for_profile("dev", env={"CREDITDESK_KAFKA_PORT": "27017"})
    with pytest.raises(DevstackError, match="unknown profile"):
        StackConfig.for_profile("prod")


def test_service_catalogue(tmp_path: Path) -> None:
    config = StackConfig.for_profile("test", env={"CREDITDESK_CACHE_DIR": str(tmp_path)})
    procs = service_processes(config)
    assert [p.name for p in procs] == ["identity", "billing", "recovery", "ratings", "teams", "gateway", "portal"]
    by_name = {p.name: p for p in procs}
    billing = by_name["billing"]
    assert billing.argv("py")[:5] == ["py", "-m", "uvicorn", "--factory", "billing.app:create_app"]
    secrets = json.loads((config.state_dir / "secrets.json").read_text())
    assert (config.state_dir / "secrets.json").stat().st_mode & 0o777 == 0o600
    assert billing.env == {
        "BILLING_CLIENT_ADDRESS_KEY": secrets["client_address_key"],
        "BILLING_FIELD_ENCRYPTION_KEY": secrets["billing_field_encryption_key"],
        "BILLING_ENVIRONMENT": "test",
        "BILLING_HTTP_PORT": "18002",
        "BILLING_MONGO_URL": "mongodb://127.0.0.1:37017",
        "BILLING_MONGO_DB": "billing",
        # Its own SASL/SCRAM principal on the SASL listener, with the stack's generated password.
        "BILLING_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19094",
        "BILLING_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "BILLING_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "BILLING_KAFKA_SASL_USERNAME": "billing",
        "BILLING_KAFKA_SASL_PASSWORD": kafka_credentials(config).password("billing"),
        "BILLING_KAFKA_TOPIC_PARTITIONS": "6",
        "BILLING_JWKS_URL": "http://127.0.0.1:18001/.well-known/jwks.json",
        # End-to-end tests move billing's and recovery's time (chassis.clock.OffsetFileClock); not identity's.
        "BILLING_CLOCK_OFFSET_FILE": str(config.state_dir / "clock-offset"),
        # The SEPA pre-notification mails go to the stack's SMTP sink.
        "BILLING_SMTP_HOST": "127.0.0.1",
        "BILLING_SMTP_PORT": "11025",
    }
    assert by_name["recovery"].env["RECOVERY_CLOCK_OFFSET_FILE"] == billing.env["BILLING_CLOCK_OFFSET_FILE"]
    assert "IDENTITY_CLOCK_OFFSET_FILE" not in by_name["identity"].env
    assert by_name["identity"].env["IDENTITY_SMTP_PORT"] == "11025"
    # Mailed links land on the portal's pages; the portal calls the gateway.
    assert by_name["identity"].env["IDENTITY_PUBLIC_BASE_URL"] == "http://127.0.0.1:18080"
    assert by_name["teams"].env["TEAMS_PUBLIC_BASE_URL"] == "http://127.0.0.1:18080"
    assert by_name["recovery"].env["RECOVERY_PUBLIC_BASE_URL"] == "http://127.0.0.1:18080"
    portal = by_name["portal"].env
    assert portal["PORTAL_GATEWAY_URL"] == "http://127.0.0.1:18000"
    assert portal["PORTAL_MONGO_DB"] == "portal"
    assert not any(k.startswith("PORTAL_KAFKA") for k in portal)  # no bus: a client of the public API
    gateway = by_name["gateway"].env
    assert gateway["GATEWAY_RATINGS_URL"] == "http://127.0.0.1:18004"
    assert gateway["GATEWAY_ENVIRONMENT"] == "test"
    assert not any(k.startswith("GATEWAY_MONGO") for k in gateway)
    assert gateway["GATEWAY_KAFKA_SASL_USERNAME"] == "gateway"  # it reads the revoked sessions
    # Generated per stack, shared by the gateway and the services, kept across starts.
    assert gateway["GATEWAY_CLIENT_ADDRESS_KEY"] == by_name["identity"].env["IDENTITY_CLIENT_ADDRESS_KEY"]
    assert by_name["identity"].env["IDENTITY_KEY_ENCRYPTION_KEY"] == secrets["identity_key_encryption_key"]
    assert service_processes(config)[0].env == by_name["identity"].env
    other = StackConfig.for_profile("test", env={"CREDITDESK_CACHE_DIR": str(tmp_path / "other")})
    assert stack_secrets(other) != secrets
