"""The cluster deployment (deploy/helm) agrees with the code, checked offline.

`helm lint` and `helm template` render every service's release and the
platform; the manifests are validated against the Kubernetes schemas
(kubernetes-validate) and compared with the sources of truth: the settings
classes (every variable is a setting), the local launcher (every variable it
sets is given on the cluster too, ports agree), the contracts (topics and
ACLs), and the alert rules with the runbook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from chassis.clientaddress import client_address, proxy_networks
from devstack.deploy import BUSINESS_SERVICES, bus_roles, stale_files
from tests.deploy.test_compose import REPO_ROOT, catalogue, env_var_names, load_compose, settings_class

# Checks the deployment files with real tools and parsers (helm, kubernetes validation): not a unit test.
pytestmark = pytest.mark.tools

HELM_DIR = REPO_ROOT / "deploy" / "helm"
SERVICE_CHART = HELM_DIR / "creditdesk-service"
PLATFORM_CHART = HELM_DIR / "creditdesk-platform"
VALUES_DIR = HELM_DIR / "services"
ALERTS_FILE = PLATFORM_CHART / "files" / "alerts.yml"
RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
# The processes on the bus (a Kafka principal, a dashboard); the portal is not on it.
BUS_PROCESSES = (*BUSINESS_SERVICES, "gateway")
PROCESSES = (*BUS_PROCESSES, "portal")
KUBERNETES_VERSION = "1.31.0"
# Kinds of the operators the platform expects (Strimzi, MongoDB Community,
# Prometheus Operator): kubernetes-validate has no schema for them, so the
# tests below check what matters in them by hand.
OPERATOR_KINDS = frozenset(
    {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "MongoDBCommunity", "PrometheusRule", "PodMonitor"}
)
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY", "PEM", "MONGO_URL", "TOKEN")


def helm_binary() -> str:
    """Helm from `.cache/tools` (what `.ci/run` and `make tools` install), else PATH."""
    candidates = [os.environ.get("HELM", ""), str(REPO_ROOT / ".cache" / "tools" / "helm"), shutil.which("helm") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("helm is not installed: run `make tools` (go install of helm.sh/helm/v3 into .cache/tools)")


def helm(*args: str) -> str:
    # The Kubernetes version the manifests are validated for; a Helm built with
    # `go install` would otherwise assume its own default (1.20).
    done = subprocess.run(
        [helm_binary(), *args, "--kube-version", KUBERNETES_VERSION],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"helm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def values_files(service: str) -> list[str]:
    files = [VALUES_DIR / f"{service}.bus.yaml", VALUES_DIR / f"{service}.yaml"]
    return [str(path) for path in files if path.is_file()]


def value_args(service: str) -> list[str]:
    return [arg for path in values_files(service) for arg in ("-f", path)]


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


@cache
def rendered(service: str) -> tuple[dict[str, Any], ...]:
    return tuple(documents(helm("template", service, str(SERVICE_CHART), *value_args(service))))


@cache
def platform() -> tuple[dict[str, Any], ...]:
    return tuple(documents(helm("template", "creditdesk-platform", str(PLATFORM_CHART))))


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: tuple[dict[str, Any], ...], kind: str) -> dict[str, Any]:
    found = of_kind(docs, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def container(service: str) -> dict[str, Any]:
    containers = one(rendered(service), "Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


def cluster_env(service: str) -> dict[str, dict[str, Any]]:
    """Every variable the service's container gets: name -> where it comes from."""
    env: dict[str, dict[str, Any]] = {}
    config = one(rendered(service), "ConfigMap")
    for name, value in (config.get("data") or {}).items():
        env[name] = {"configMap": value}
    for item in container(service).get("env") or []:
        env[item["name"]] = {k: v for k, v in item.items() if k != "name"}
    return env


# --- helm itself ------------------------------------------------------------------


@pytest.mark.parametrize("service", PROCESSES)
def test_helm_lint_passes_for_each_service(service: str) -> None:
    helm("lint", "--strict", str(SERVICE_CHART), *value_args(service))


def test_helm_lint_passes_for_the_platform() -> None:
    helm("lint", "--strict", str(PLATFORM_CHART))


def test_a_release_without_its_service_name_is_refused() -> None:
    done = subprocess.run(
        [helm_binary(), "template", "x", str(SERVICE_CHART), "--kube-version", KUBERNETES_VERSION],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "values.service is required" in done.stderr


def test_generated_files_are_current() -> None:
    stale = stale_files(REPO_ROOT)
    assert not stale, f"regenerate with `python -m devstack.deploy generate`: {[str(p) for p in stale]}"


# --- valid Kubernetes ---------------------------------------------------------------


def all_rendered() -> Iterator[dict[str, Any]]:
    for service in PROCESSES:
        yield from rendered(service)
    yield from platform()


def test_every_builtin_manifest_is_valid_for_kubernetes() -> None:
    checked = 0
    for doc in all_rendered():
        if doc["kind"] in OPERATOR_KINDS:
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 8 * len(PROCESSES)


def test_a_broken_manifest_is_refused_by_the_validator() -> None:
    deployment = dict(one(rendered("billing"), "Deployment"))
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


# --- each service's release -------------------------------------------------------


@pytest.mark.parametrize("service", PROCESSES)
def test_each_release_has_what_a_cluster_needs(service: str) -> None:
    docs = rendered(service)
    kinds = {doc["kind"] for doc in docs}
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceAccount",
    } <= kinds
    c = container(service)
    assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert {"cpu", "memory"} <= set(c["resources"]["requests"])
    assert {"cpu", "memory"} <= set(c["resources"]["limits"])
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert not of_kind(docs, "Secret"), "the chart creates no Secret: secrets exist before the release"


@pytest.mark.parametrize("service", PROCESSES)
def test_ports_agree_with_the_launcher_and_compose(service: str) -> None:
    port = catalogue()[service].port
    assert container(service)["ports"][0]["containerPort"] == port
    assert one(rendered(service), "Service")["spec"]["ports"][0]["port"] == port
    assert cluster_env(service)[f"{service.upper()}_HTTP_PORT"] == {"configMap": str(port)}
    compose_env = load_compose()["services"][service]["environment"]
    assert str(compose_env[f"{service.upper()}_HTTP_PORT"]) == str(port)


@pytest.mark.parametrize("service", PROCESSES)
def test_every_variable_is_a_setting(service: str) -> None:
    valid = env_var_names(settings_class(service))
    unknown = sorted(set(cluster_env(service)) - valid)
    assert not unknown, f"{service}: not settings of {settings_class(service).__name__}: {unknown}"


@pytest.mark.parametrize("service", PROCESSES)
def test_what_the_launcher_sets_the_cluster_sets_too(service: str) -> None:
    # Local-only plumbing (where to listen, which loopback port) has cluster
    # equivalents set by the chart itself; everything else must be given.
    missing = sorted(set(catalogue()[service].env) - set(cluster_env(service)))
    assert not missing, f"{service}: set by devstack but not by the chart: {missing}"


@pytest.mark.parametrize("service", PROCESSES)
def test_secrets_come_from_secrets_only(service: str) -> None:
    for name, source in cluster_env(service).items():
        if any(word in name.removeprefix(f"{service.upper()}_") for word in SECRET_WORDS):
            assert "secretKeyRef" in source.get("valueFrom", {}), (
                f"{service}: {name} must come from a Secret, not {source}"
            )


def test_no_secret_value_in_any_chart_default() -> None:
    for path in [*HELM_DIR.rglob("values.yaml"), *VALUES_DIR.glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert "BEGIN PRIVATE KEY" not in text, path
        assert "password:" not in text.lower(), path


# --- the bus: topics and ACLs from the contracts ---------------------------------------


@pytest.mark.parametrize("service", BUS_PROCESSES)
def test_topics_and_acls_follow_the_contracts(service: str) -> None:
    role = bus_roles()[service]
    docs = rendered(service)
    topics = {doc["spec"]["topicName"]: doc["spec"] for doc in of_kind(docs, "KafkaTopic")}
    assert set(topics) == set(role.owns)
    for spec in topics.values():
        assert (spec["partitions"], spec["replicas"], spec["config"]["min.insync.replicas"]) == (6, 3, "2")
    user = one(docs, "KafkaUser")
    assert user["metadata"]["name"] == service
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    acls = user["spec"]["authorization"]["acls"]
    writes = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
    reads = {a["resource"]["name"] for a in acls if a["resource"]["type"] == "topic" and "Read" in a["operations"]}
    groups = [a["resource"] for a in acls if a["resource"]["type"] == "group"]
    assert writes == set(role.owns), "a service writes only the topics it owns"
    assert reads == set(role.reads), "a service reads only what it consumes"
    expected_groups = [{"type": "group", "name": f"{service}.", "patternType": "prefix"}] if role.group_prefix else []
    assert groups == expected_groups
    env = cluster_env(service)
    assert env[f"{service.upper()}_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == service


def test_the_portal_is_not_on_the_bus() -> None:
    docs = rendered("portal")
    assert not of_kind(docs, "KafkaTopic")
    assert not of_kind(docs, "KafkaUser")
    assert not [name for name in cluster_env("portal") if "KAFKA" in name]


def test_one_owner_per_topic() -> None:
    owners: dict[str, str] = {}
    for service, role in bus_roles().items():
        for topic in role.owns:
            assert topic not in owners, f"{topic} owned by {owners.get(topic)} and {service}"
            owners[topic] = service


# --- who reaches whom ---------------------------------------------------------------------


def peers(rule: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(rule.get("from") or rule.get("to") or [])


@pytest.mark.parametrize("service", BUSINESS_SERVICES)
def test_only_the_gateway_and_verifiers_reach_a_service(service: str) -> None:
    policy = one(rendered(service), "NetworkPolicy")["spec"]
    callers = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in policy["ingress"]
        for peer in peers(rule)
        if "podSelector" in peer
    }
    # identity also serves its JWKS to every verifier.
    assert callers == ({"gateway", *BUSINESS_SERVICES} - {"identity"} if service == "identity" else {"gateway"})
    egress_pods = [
        peer["podSelector"]["matchLabels"] for rule in policy["egress"] for peer in peers(rule) if "podSelector" in peer
    ]
    assert {"strimzi.io/cluster": "creditdesk", "strimzi.io/kind": "Kafka"} in egress_pods
    assert {"app": "creditdesk-mongo-svc"} in egress_pods
    called = {labels["app.kubernetes.io/name"] for labels in egress_pods if "app.kubernetes.io/name" in labels}
    assert called <= {"identity"}, f"{service} calls no other service than identity's JWKS"


def test_the_gateway_is_reached_through_its_ingress_and_by_the_portal_only() -> None:
    docs = rendered("gateway")
    assert one(docs, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"
    policy = one(docs, "NetworkPolicy")["spec"]
    admitted = [peer for rule in policy["ingress"] for peer in peers(rule)]
    pods = [peer["podSelector"]["matchLabels"] for peer in admitted if "podSelector" in peer]
    assert pods == [{"app.kubernetes.io/name": "portal", "app.kubernetes.io/part-of": "creditdesk"}]
    namespaces = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in policy["ingress"]
        for peer in peers(rule)
        if "namespaceSelector" in peer
    }
    assert namespaces == {"ingress-nginx", "monitoring"}


def test_the_portal_forwards_the_person_to_a_gateway_that_believes_it() -> None:
    """ADR 0044: the portal calls the gateway's Service (the ingress controller would replace
    its X-Forwarded-For), and both trust the X-Forwarded-For of the pod network their
    NetworkPolicies admit (ingress controller, portal): per-person rate limits on the cluster."""
    portal_env, gateway_env = cluster_env("portal"), cluster_env("gateway")
    gateway_url = urlsplit(portal_env["PORTAL_GATEWAY_URL"]["configMap"])
    service = one(rendered("gateway"), "Service")
    assert gateway_url.hostname == service["metadata"]["name"]
    assert gateway_url.port == service["spec"]["ports"][0]["port"]
    egress = one(rendered("portal"), "NetworkPolicy")["spec"]["egress"]
    called = [peer["podSelector"]["matchLabels"] for rule in egress for peer in peers(rule) if "podSelector" in peer]
    assert {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/part-of": "creditdesk"} in called
    for env, name in ((portal_env, "PORTAL_TRUSTED_PROXIES"), (gateway_env, "GATEWAY_TRUSTED_PROXIES")):
        trusted = proxy_networks(str(env[name]["configMap"]).split(","))
        assert trusted, f"{name} is empty: every person would share the front's rate limit"
        assert all(network.is_private for network in trusted), f"{name}: trust the cluster's own pod network only"
    person = {"x-forwarded-for": "203.0.113.7"}
    trusted = proxy_networks(str(gateway_env["GATEWAY_TRUSTED_PROXIES"]["configMap"]).split(","))
    portal_pod = str(next(trusted[0].hosts()))
    assert client_address(person, portal_pod, key=None, trusted_proxies=trusted) == "203.0.113.7"


# --- the platform --------------------------------------------------------------------------


def test_kafka_cluster_is_replicated_with_topics_only_as_code() -> None:
    kafka = one(platform(), "Kafka")["spec"]["kafka"]
    assert kafka["config"]["auto.create.topics.enable"] is False
    assert kafka["config"]["default.replication.factor"] == 3
    assert kafka["config"]["min.insync.replicas"] == 2
    assert kafka["authorization"]["type"] == "simple"
    assert kafka["listeners"][0]["authentication"]["type"] == "scram-sha-512"
    assert one(platform(), "KafkaNodePool")["spec"]["replicas"] == 3


def test_mongo_replica_set_has_one_user_per_service_on_its_own_database() -> None:
    mongo = one(platform(), "MongoDBCommunity")["spec"]
    assert mongo["members"] == 3
    assert mongo["additionalConnectionStringConfig"]["w"] == "majority"
    users = {user["name"]: user for user in mongo["users"]}
    with_a_database = {name for name in PROCESSES if "mongo_db" in settings_class(name).model_fields}
    assert "portal" in with_a_database, "the portal keeps its sessions in its own database"
    assert set(users) == with_a_database
    for name, user in users.items():
        assert user["roles"] == [{"name": "readWrite", "db": name}]
        assert (
            cluster_env(name)[f"{name.upper()}_MONGO_URL"]["valueFrom"]["secretKeyRef"]["name"]
            == (user["connectionStringSecretName"])
        )


def alert_rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(ALERTS_FILE.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_the_platform_ships_the_alert_rules_and_dashboards() -> None:
    rule = one(platform(), "PrometheusRule")
    shipped = [r["alert"] for group in rule["spec"]["groups"] for r in group["rules"]]
    assert shipped == [r["alert"] for r in alert_rules()]
    dashboards = {doc["metadata"]["name"] for doc in of_kind(platform(), "ConfigMap")}
    assert {f"creditdesk-dashboard-{name}" for name in (*BUS_PROCESSES, "bus")} <= dashboards


def test_every_alert_has_a_runbook_section() -> None:
    runbook = RUNBOOK.read_text(encoding="utf-8")
    for rule in alert_rules():
        assert f"## {rule['alert']}" in runbook, f"docs/runbook.md has no section for {rule['alert']}"
        assert rule["annotations"]["runbook"] == f"docs/runbook.md#{rule['alert'].lower()}"
