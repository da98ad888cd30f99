"""Scale-out in the devstack catalogue: several processes of a service (no processes started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack import DevstackError, StackConfig
from devstack.config import parse_instances
from devstack.services import BACKENDS, START_WAVES, service_processes
from gateway.settings import GatewaySettings


def config(tmp_path: Path, **env: str) -> StackConfig:
    return StackConfig.for_profile("test", env={"CREDITDESK_CACHE_DIR": str(tmp_path), **env})


def test_instances_get_their_own_port_and_the_service_s_environment(tmp_path: Path) -> None:
    scaled = config(tmp_path, CREDITDESK_INSTANCES="billing=2,identity=3")
    procs = {p.name: p for p in service_processes(scaled)}
    names = ["identity", "identity-2", "identity-3", "billing", "billing-2", "recovery", "ratings", "teams", "gateway"]
    assert [name for name in procs if name in names] == names  # in start order, whatever follows
    assert [procs[n].port for n in ("billing", "billing-2")] == [18002, 18052]
    assert [procs[n].port for n in ("identity", "identity-2", "identity-3")] == [18001, 18051, 18101]
    second = procs["billing-2"]
    assert second.package == "billing"
    assert second.app == "billing.app:create_app"
    assert second.env["BILLING_HTTP_PORT"] == "18052"
    # Everything else is shared: the same database, Kafka principal (hence consumer group), secrets.
    assert {k: v for k, v in second.env.items() if k != "BILLING_HTTP_PORT"} == {
        k: v for k, v in procs["billing"].env.items() if k != "BILLING_HTTP_PORT"
    }
    assert procs["gateway"].env["GATEWAY_BILLING_URL"] == "http://127.0.0.1:18002,http://127.0.0.1:18052"
    assert procs["gateway"].env["GATEWAY_TEAMS_URL"] == "http://127.0.0.1:18005"


def test_the_gateway_reads_every_instance(tmp_path: Path) -> None:
    gateway_env = {p.name: p for p in service_processes(config(tmp_path, CREDITDESK_INSTANCES="billing=2"))}[
        "gateway"
    ].env
    settings = GatewaySettings.model_validate({k.removeprefix("GATEWAY_").lower(): v for k, v in gateway_env.items()})
    assert settings.instance_urls["billing"] == ("http://127.0.0.1:18002", "http://127.0.0.1:18052")
    assert settings.service_urls["billing"] == "http://127.0.0.1:18002"
    assert settings.instance_urls["identity"] == ("http://127.0.0.1:18001",)


def test_one_instance_each_by_default(tmp_path: Path) -> None:
    assert [p.name for p in service_processes(config(tmp_path))] == [name for wave in START_WAVES for name in wave]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("billing", "NAME=COUNT"),
        ("billing=x", "NAME=COUNT"),
        ("gateway=2", "unknown service 'gateway'"),
        ("billing=0", "between 1 and 4"),
        ("billing=9", "between 1 and 4"),
    ],
)
def test_bad_instance_counts_are_refused(text: str, problem: str) -> None:
    with pytest.raises(DevstackError, match=problem):
        parse_instances(text, BACKENDS)


def test_extra_instances_must_not_take_a_configured_port(tmp_path: Path) -> None:
    with pytest.raises(DevstackError, match="clash"):
        config(tmp_path, CREDITDESK_INSTANCES="billing=2", CREDITDESK_SMTP_PORT="18052")
