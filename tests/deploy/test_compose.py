"""The Docker deployment path agrees with the code, checked without Docker.

`docker-compose.yml`, the one `Dockerfile` of every process (built per process with
its build arguments), and the
Prometheus configuration are compared with the two sources of truth:

* the settings classes, for the environment variables that exist (a compose
  variable that is no field is silently ignored by pydantic-settings, so a
  typo would otherwise only show as a wrong default in a running container);
* the local launcher's catalogue (`devstack.services`), for the processes,
  their ports and the variables each one is configured with.
"""

from __future__ import annotations

import base64
import binascii
import copy
import difflib
import fnmatch
import importlib
import ipaddress
import itertools
import json
import os
import re
import shlex
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from chassis.clientaddress import client_address, proxy_networks
from devstack.config import KAFKA_VERSION, StackConfig
from devstack.services import START_WAVES, ServiceProcess, service_processes

# Checks the compose file against every service's settings and the generated files: not a unit test.
pytestmark = pytest.mark.tools

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_FILE = REPO_ROOT / "infra" / "prometheus" / "prometheus.yml"
COLLECTOR_FILE = REPO_ROOT / "infra" / "otel" / "collector.yaml"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

SETTINGS_CLASSES: Mapping[str, str] = {
    "identity": "identity.settings.IdentitySettings",
    "billing": "billing.settings.BillingSettings",
    "recovery": "recovery.settings.RecoverySettings",
    "ratings": "ratings.settings.RatingsSettings",
    "teams": "teams.settings.TeamsSettings",
    "gateway": "gateway.settings.GatewaySettings",
    "portal": "portal.settings.PortalSettings",
}
# The only compose services reachable from the host.
PUBLISHED = frozenset({"gateway", "portal", "mailpit", "prometheus", "grafana"})
# Compose services allowed to run without a healthcheck, and why.
NO_HEALTHCHECK: Mapping[str, str] = {
    "otel-collector": "its image has neither a shell nor a client to probe with",
}
# One-shot containers: they run to completion; dependants wait for their success.
ONE_SHOT: Mapping[str, str] = {
    "kafka-storage": "formats Kafka's storage with the SCRAM users",
    "kafka-init": "creates the topics and the ACLs",
}
# Secrets without a default that production may leave unset, and why.
OPTIONAL_SECRETS: Mapping[str, str] = {
    "IDENTITY_SIGNING_KEY_PEM": "without it identity keeps its own keys, encrypted with IDENTITY_KEY_ENCRYPTION_KEY",
    "PORTAL_KAFKA_SASL_PASSWORD": "the portal uses no Kafka: it is a client of the gateway's public API",
    "PORTAL_CLIENT_ADDRESS_KEY": "the portal reads no signed client address (only the gateway signs, services verify)",
}
# Processes without a Kafka principal, and why.
NO_KAFKA: Mapping[str, str] = {
    "gateway": "reads the revoked sessions only: a principal without topics of its own",
    "portal": "a client of the gateway's public API, not on the bus",
}
MONGO_INIT_SCRIPT = REPO_ROOT / "infra" / "mongo-init" / "10-service-users.js"
# Variables whose value names another compose service (a URL or host[:port]).
ADDRESS_SUFFIXES = ("_URL", "_ENDPOINT", "_BOOTSTRAP_SERVERS", "_SMTP_HOST")
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# --- loading -----------------------------------------------------------------


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a mapping"
    return data


@cache
def catalogue() -> dict[str, ServiceProcess]:
    """The local launcher's processes, dev profile, ignoring CREDITDESK_*_PORT in this shell."""
    config = StackConfig.for_profile("dev", env={}, repo_root=REPO_ROOT)
    # Passwords are generated per stack: none is read or written here.
    processes = service_processes(config, kafka_password=lambda _name: "generated-per-stack")
    return {process.name: process for process in processes}


PROCESSES: tuple[str, ...] = tuple(catalogue())


def settings_class(name: str) -> type[BaseSettings]:
    module_name, _, class_name = SETTINGS_CLASSES[name].rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    assert isinstance(cls, type), SETTINGS_CLASSES[name]
    assert issubclass(cls, BaseSettings), SETTINGS_CLASSES[name]
    return cls


def env_prefix(cls: type[BaseSettings]) -> str:
    return str(cls.model_config.get("env_prefix", ""))


def env_var_names(cls: type[BaseSettings]) -> set[str]:
    """Every variable the settings class reads: prefix + field name, upper case."""
    prefix = env_prefix(cls)
    return {f"{prefix}{field}".upper() for field in cls.model_fields}


def compose_env(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A compose service's `environment`, in either of its two spellings."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (str(item).partition("=") for item in raw)
        return {key: (value if sep else None) for key, sep, value in pairs}
    return {str(key): (None if value is None else str(value)) for key, value in raw.items()}


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Target -> condition; the short (list) form means `service_started`."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(map(str, raw), "service_started")
    return {str(target): str((spec or {}).get("condition", "service_started")) for target, spec in raw.items()}


def resolve(value: str) -> str:
    """A compose value after interpolation, with what the operator must provide filled in."""

    def substitute(match: re.Match[str]) -> str:
        if (match["op"] or "").endswith("-"):
            return match["arg"]
        if match["name"].endswith("_ENCRYPTION_KEY"):  # a key ring has a format (chassis.crypto)
            return "operator:" + base64.urlsafe_b64encode(match["name"].encode().ljust(32, b"-")[:32]).decode()
        return f"operator-provided-{match['name'].lower()}"

    return INTERPOLATION.sub(substitute, value).replace("$$", "$")


def http_port(name: str) -> int:
    default = settings_class(name).model_fields["http_port"].default
    assert isinstance(default, int)
    return default


# --- the check the main test runs, also run on a broken copy below --------------


def env_problems(compose: Mapping[str, Any]) -> list[str]:
    """What is wrong with the platform services' environment in a compose document."""
    problems: list[str] = []
    services = compose.get("services") or {}
    for name, process in catalogue().items():
        service = services.get(name)
        if service is None:
            problems.append(f"{name}: no compose service of that name")
            continue
        cls = settings_class(name)
        valid = env_var_names(cls)
        env = compose_env(service)
        for var in sorted(env):
            if var not in valid:
                hint = difflib.get_close_matches(var, sorted(valid), n=1)
                suggestion = f" (did you mean {hint[0]}?)" if hint else ""
                problems.append(f"{name}: {var} is not a setting of {cls.__name__}{suggestion}")
            elif env[var] is None:
                problems.append(f"{name}: {var} has no value (it would be copied from the host's shell)")
        for var in sorted(process.env):
            if var not in env:
                problems.append(f"{name}: {var} is set by the local launcher but not in docker-compose.yml")
        if "env_file" in service:
            problems.append(f"{name}: env_file hides variables from this check; list them under environment")
    return problems


# --- compose: processes, builds, environment -----------------------------------


def test_compose_file_shape() -> None:
    compose = load_compose()
    assert "version" not in compose, "the compose spec has no `version:` key"
    services = compose["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}", "same Kafka as the local stack"
    assert str(services["mongo"]["image"]).startswith("mongo:7")
    # KRaft formats its storage with CLUSTER_ID: it must be a base64url UUID (16 bytes).
    cluster_id = str(compose_env(services["kafka"])["CLUSTER_ID"])
    try:
        raw = base64.urlsafe_b64decode(cluster_id + "==")
    except binascii.Error:
        raw = b""
    assert len(cluster_id) == 22, f"CLUSTER_ID {cluster_id!r} is not a base64url UUID"
    assert len(raw) == 16, f"CLUSTER_ID {cluster_id!r} is not a base64url UUID"


def test_settings_classes_cover_the_catalogue() -> None:
    assert set(SETTINGS_CLASSES) == set(PROCESSES)
    for name in PROCESSES:
        assert env_prefix(settings_class(name)) == f"{name.upper()}_"


@pytest.mark.parametrize("name", PROCESSES)
def test_each_process_is_built_from_the_one_dockerfile(name: str) -> None:
    service = load_compose()["services"].get(name)
    assert service is not None, f"docker-compose.yml has no service {name!r}"
    build = service.get("build")
    expected = f"{{context: ., dockerfile: Dockerfile, args: {{SERVICE: {name}, PORT: <its http_port>}}}}"
    assert isinstance(build, dict), f"{name}: build must be {expected}"
    assert build.get("context") == "."
    assert build.get("dockerfile") == "Dockerfile", f"{name}: build must be {expected}"
    assert (REPO_ROOT / build["context"] / build["dockerfile"]).is_file(), f"{build['dockerfile']} does not exist"
    assert build_args(name) == {"SERVICE": name, "PORT": str(http_port(name))}, f"{name}: build must be {expected}"
    # The Dockerfile's CMD is what is checked below: compose must not replace it.
    assert "command" not in service
    assert "entrypoint" not in service


def test_compose_environment_matches_settings_and_launcher() -> None:
    problems = env_problems(load_compose())
    assert not problems, "\n".join(problems)


def test_env_check_reports_a_misspelt_variable() -> None:
    """The check above is not vacuous: a typo and a missing variable are both reported."""
    compose = load_compose()
    broken = copy.deepcopy(compose)
    broken["services"]["billing"]["environment"]["BILLING_MONGO_ULR"] = "mongodb://mongo:27017"
    problems = env_problems(broken)
    assert any("BILLING_MONGO_ULR" in p and "did you mean BILLING_MONGO_URL" in p for p in problems), problems
    assert len(problems) == 1, problems

    broken = copy.deepcopy(compose)
    del broken["services"]["teams"]["environment"]["TEAMS_KAFKA_BOOTSTRAP_SERVERS"]
    assert env_problems(broken) == [
        "teams: TEAMS_KAFKA_BOOTSTRAP_SERVERS is set by the local launcher but not in docker-compose.yml"
    ]

    broken = copy.deepcopy(compose)
    broken["services"]["gateway"]["environment"] = [
        f"{k}={v}" for k, v in compose_env(compose["services"]["gateway"]).items()
    ] + ["GATEWAY_TEAM_URL=http://teams:8005"]
    assert env_problems(broken) == [
        "gateway: GATEWAY_TEAM_URL is not a setting of GatewaySettings (did you mean GATEWAY_TEAMS_URL?)"
    ]


@pytest.mark.parametrize("name", PROCESSES)
def test_compose_environment_is_valid_for_the_settings_class(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the settings from the compose values works (types, literals, validators)."""
    cls = settings_class(name)
    for key in list(os.environ):
        if key.upper().startswith(env_prefix(cls)):
            monkeypatch.delenv(key)
    env = compose_env(load_compose()["services"][name])
    for key, value in env.items():
        monkeypatch.setenv(key, resolve(value or ""))
    settings = cls()
    assert getattr(settings, "http_port", None) == catalogue()[name].port
    if "mongo_db" in cls.model_fields:
        assert getattr(settings, "mongo_db", None) == name


@pytest.mark.parametrize("name", PROCESSES)
def test_secrets_are_demanded_from_the_operator(name: str) -> None:
    """In production a secret without a default must be given: compose stops with a message if it is not."""
    cls = settings_class(name)
    env = compose_env(load_compose()["services"][name])
    for var, value in env.items():
        for match in INTERPOLATION.finditer(value or ""):
            assert match["op"], f"{name}: {var} uses ${{{match['name']}}}: give a default (:-) or require it (:?)"
    if env.get(f"{env_prefix(cls)}ENVIRONMENT") != "production":
        return
    for field, info in cls.model_fields.items():
        if info.default is None and "SecretStr" in repr(info.annotation):
            var = f"{env_prefix(cls)}{field.upper()}"
            if var in OPTIONAL_SECRETS:
                continue
            required = INTERPOLATION.fullmatch(env.get(var) or "")
            message = f"{name}: {var} is required in production: set it to ${{{var}:?<how to make one>}}"
            assert required is not None, message
            assert (required["op"] or "").endswith("?"), message


@pytest.mark.parametrize("name", PROCESSES)
def test_ports_agree(name: str) -> None:
    port = http_port(name)
    assert catalogue()[name].port == port, f"{name}: the launcher's dev port differs from the settings default"
    service = load_compose()["services"][name]
    assert compose_env(service).get(f"{name.upper()}_HTTP_PORT") == str(port)
    assert dockerfile_port(name) == port


def test_each_backend_has_its_own_database() -> None:
    services = load_compose()["services"]
    databases: dict[str, str | None] = {}
    for name in PROCESSES:
        if "mongo_db" in settings_class(name).model_fields:
            databases[name] = compose_env(services[name]).get(f"{name.upper()}_MONGO_DB")
    assert databases, "no service has a database"
    assert databases == {name: name for name in databases}
    assert len(set(databases.values())) == len(databases)


def test_each_backend_connects_to_mongo_as_its_own_user_on_its_own_database() -> None:
    """Least privilege: one MongoDB user per service, created by the init script with
    readWrite on that service's database only, its password given to both sides."""
    services = load_compose()["services"]
    mongo = services["mongo"]
    assert "./infra/mongo-init:/docker-entrypoint-initdb.d:ro" in [str(v) for v in mongo.get("volumes", [])]
    mongo_env = compose_env(mongo)
    assert (mongo_env.get("MONGO_INITDB_ROOT_PASSWORD") or "").startswith("${MONGO_ROOT_PASSWORD:?")
    script = MONGO_INIT_SCRIPT.read_text(encoding="utf-8")
    listed = re.search(r"const services = \[([^\]]*)\]", script)
    assert listed, f"{MONGO_INIT_SCRIPT.name}: no `const services = [...]`"
    created = re.findall(r'"(\w+)"', listed.group(1))
    assert 'roles: [{ role: "readWrite", db: name }]' in script, "each user gets readWrite on its own database only"
    backends = [name for name in PROCESSES if "mongo_db" in settings_class(name).model_fields]
    assert sorted(created) == sorted(backends)
    for name in backends:
        raw = compose_env(services[name]).get(f"{name.upper()}_MONGO_URL") or ""
        password_var = f"MONGO_{name.upper()}_PASSWORD"
        assert f"${{{password_var}:?" in raw, f"{name}: the MongoDB password must come from {password_var}"
        assert (mongo_env.get(password_var) or "").startswith(f"${{{password_var}:?"), f"mongo lacks {password_var}"
        url = urlsplit(resolve(raw))
        assert url.hostname == "mongo"
        assert url.username == name, f"{name}: connects as {url.username!r}, not as its own user"
        assert url.password, f"{name}: no password in its MONGO_URL"
        assert url.path == f"/{name}", f"{name}: its MONGO_URL names database {url.path!r}"
        assert f"authSource={name}" in url.query.split("&"), f"{name}: its user is defined in its own database"


@pytest.mark.parametrize("name", PROCESSES)
def test_addresses_name_compose_services_and_their_ports(name: str) -> None:
    services = load_compose()["services"]
    ports = {process: http_port(process) for process in PROCESSES}
    for var, value in compose_env(services[name]).items():
        if not var.endswith(ADDRESS_SUFFIXES) or not value or "${" in value:
            continue  # left to the operator, e.g. the public base URL
        for address in value.split(","):
            parts = urlsplit(address if "://" in address else f"//{address}")
            assert parts.hostname in services, f"{name}: {var}={value}: no compose service {parts.hostname!r}"
            if parts.hostname in ports and parts.port is not None:
                assert parts.port == ports[parts.hostname], f"{name}: {var}={value}: wrong port"


def test_the_gateway_believes_the_forwarded_address_of_the_portal_only() -> None:
    """The portal forwards each person's address; the gateway reads X-Forwarded-For from the
    portal's fixed address and from no one else (not the host's published port, not a service)."""
    compose = load_compose()
    (subnet,) = compose["networks"]["default"]["ipam"]["config"]
    portal = ipaddress.ip_address(compose["services"]["portal"]["networks"]["default"]["ipv4_address"])
    assert portal in ipaddress.ip_network(subnet["subnet"]), "the portal's address is in the compose subnet"
    assert portal not in ipaddress.ip_network(subnet["ip_range"]), "no other container can be given it first"
    trusted = proxy_networks(str(compose_env(compose["services"]["gateway"])["GATEWAY_TRUSTED_PROXIES"]).split(","))
    assert [(network.network_address, network.num_addresses) for network in trusted] == [(portal, 1)]
    for name in set(PROCESSES) - {"portal"}:
        assert not compose["services"][name].get("networks"), f"{name}: only the portal has a fixed address"
    person = {"x-forwarded-for": "203.0.113.7"}
    assert client_address(person, str(portal), key=None, trusted_proxies=trusted) == "203.0.113.7"
    host = str(next(ipaddress.ip_network(subnet["subnet"]).hosts()))  # where published ports come from
    assert client_address(person, host, key=None, trusted_proxies=trusted) == host


# --- compose: health and start order ---------------------------------------------


def test_every_service_has_a_healthcheck() -> None:
    for name, service in load_compose()["services"].items():
        if name in NO_HEALTHCHECK or name in ONE_SHOT:
            assert "healthcheck" not in service, f"{name} has a healthcheck now: drop it from NO_HEALTHCHECK"
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} has its healthcheck disabled"
    for name in PROCESSES:
        probe = " ".join(load_compose()["services"][name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{http_port(name)}/health" in probe, f"{name}: healthcheck must GET its /health"
        for tool in ("curl", "wget"):
            assert tool not in probe, f"{name}: slim Python images have no {tool}"


def test_depends_on_waits_for_health_where_there_is_one() -> None:
    services = load_compose()["services"]
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            assert target in services, f"{name} depends on {target!r}, which is not a compose service"
            expected = "service_started" if target in NO_HEALTHCHECK else "service_healthy"
            if target in ONE_SHOT:
                expected = "service_completed_successfully"
            assert condition == expected, f"{name} -> {target}: condition {condition}, expected {expected}"


def test_start_order_follows_the_launcher() -> None:
    """Each wave of the local launcher waits for the healthy previous wave (identity first, gateway last)."""
    services = load_compose()["services"]
    for previous, wave in itertools.pairwise(START_WAVES):
        for name in wave:
            for target in previous:
                assert depends_on(services[name]).get(target) == "service_healthy", f"{name} must wait for {target}"
    for name in PROCESSES:
        for infra in ("kafka", "mongo"):
            if "mongo_db" in settings_class(name).model_fields:
                assert depends_on(services[name]).get(infra) == "service_healthy", f"{name} must wait for {infra}"


# --- compose: host exposure, mounts, Prometheus -----------------------------------


def test_only_the_entry_points_are_published() -> None:
    services = load_compose()["services"]
    assert {name for name, service in services.items() if service.get("ports")} == PUBLISHED
    gateway_ports = [str(port).rsplit(":", 1)[-1] for port in services["gateway"]["ports"]]
    assert gateway_ports == [str(http_port("gateway"))]


def test_bind_mounts_exist() -> None:
    mounts = 0
    for name, service in load_compose()["services"].items():
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0] if isinstance(volume, str) else str(volume.get("source", ""))
            if source.startswith(("./", "../", "/")):
                assert (REPO_ROOT / source).exists(), f"{name}: {source} does not exist"
                mounts += 1
    assert mounts >= 2  # the Prometheus and collector configurations


def test_prometheus_scrapes_every_process() -> None:
    config = yaml.safe_load(PROMETHEUS_FILE.read_text(encoding="utf-8"))
    scraped: dict[str, str] = {}
    for job in config["scrape_configs"]:
        for group in job.get("static_configs", []):
            for target in group.get("targets", []):
                scraped[target] = job.get("metrics_path", "/metrics")
    for name in PROCESSES:
        target = f"{name}:{http_port(name)}"
        assert scraped.get(target) == "/metrics", f"Prometheus does not scrape {target}/metrics"
    mounts = [str(v) for v in load_compose()["services"]["prometheus"].get("volumes", [])]
    assert "./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts


def test_collector_receives_otlp_http_where_services_send_it() -> None:
    config = yaml.safe_load(COLLECTOR_FILE.read_text(encoding="utf-8"))
    endpoint = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    port = int(endpoint.rsplit(":", 1)[1])
    pipeline = config["service"]["pipelines"]["traces"]
    assert "otlp" in pipeline["receivers"]
    assert pipeline["exporters"]
    services = load_compose()["services"]
    for name in PROCESSES:
        sent_to = compose_env(services[name]).get(f"{name.upper()}_OTEL_EXPORTER_OTLP_ENDPOINT")
        assert sent_to == f"http://otel-collector:{port}", f"{name} does not send traces to the collector"


# --- Dockerfiles ------------------------------------------------------------------


DOCKERFILE = REPO_ROOT / "Dockerfile"
# ${NAME} or $NAME, as the Dockerfile and the shell spell a variable.
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def build_args(name: str) -> dict[str, str]:
    args = load_compose()["services"][name]["build"].get("args") or {}
    assert isinstance(args, dict), f"{name}: build.args must be a mapping"
    return {str(key): str(value) for key, value in args.items()}


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, arguments = (current + stripped).partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        current = ""
    return result


def image_steps(name: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as compose builds `name`: every ARG and ENV
    variable filled in, stage by stage (each stage declares the ARGs it uses)."""
    args, known, steps = build_args(name), dict[str, str](), []

    def fill(text: str) -> str:
        return VARIABLE.sub(lambda m: known.get(m[1] or m[2], m[0]), text)

    for keyword, arguments in instructions():
        if keyword == "FROM":
            known = {}
        elif keyword == "ARG":
            key, _, default = arguments.partition("=")
            known[key] = args.get(key, default)
        elif keyword == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                known[key] = fill(value)
        steps.append((keyword, fill(arguments)))
    return steps


def test_the_dockerfile_needs_its_build_arguments() -> None:
    """Every build argument has no default: a build without SERVICE or PORT stops with how to give them."""
    declared = {args.partition("=")[0]: args.partition("=")[1] for keyword, args in instructions() if keyword == "ARG"}
    assert declared == {"SERVICE": "", "PORT": ""}
    checks = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert 'test -n "${SERVICE}" && test -n "${PORT}"' in checks
    assert not list(REPO_ROOT.glob("services/*/Dockerfile")), "one Dockerfile for every image, at the root"


def test_only_recovery_installs_system_libraries() -> None:
    """WeasyPrint's Pango and fonts (ADR 0024) go into recovery's image, not the six others."""
    (install,) = [args for keyword, args in final_stage("recovery") if keyword == "RUN" and "apt-get" in args]
    recovery = re.search(r"recovery\) packages=\"([^\"]*)\"", install)
    assert recovery, "the Dockerfile names recovery's system packages in its `case`"
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"} <= set(recovery[1].split())
    assert '*) packages=""' in install, "the other images install no system package"


def words(arguments: str) -> list[str]:
    """Exec form (JSON array) or shell form."""
    if arguments.startswith("["):
        parsed = json.loads(arguments)
        assert isinstance(parsed, list)
        return [str(word) for word in parsed]
    return shlex.split(arguments)


def final_stage(name: str) -> list[tuple[str, str]]:
    steps = image_steps(name)
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def dockerfile_port(name: str) -> int:
    cmd = [args for keyword, args in final_stage(name) if keyword == "CMD"]
    assert cmd, "Dockerfile has no CMD"
    port = option(words(cmd[-1]), "--port")
    assert port is not None, "Dockerfile: CMD has no --port"
    assert port.isdigit(), f"Dockerfile for {name}: --port {port} is not a number"
    return int(port)


def dockerignore_patterns() -> list[str]:
    lines = (line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Roughly Docker's rule: the last matching pattern wins; a match on a parent counts."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").strip("/")
        globs = [glob, glob.removeprefix("**/")] if glob.startswith("**/") else [glob]
        if any(fnmatch.fnmatchcase(prefix, g) for prefix in prefixes for g in globs):
            ignored = not negated
    return ignored


@pytest.mark.parametrize("name", PROCESSES)
def test_dockerfile_runs_the_process_of_the_catalogue(name: str) -> None:
    process = catalogue()[name]
    stage = final_stage(name)
    cmd = words([args for keyword, args in stage if keyword == "CMD"][-1])
    assert cmd[0] == "exec", f"{name}: the shell must hand PID 1 to uvicorn (`exec`), or SIGTERM stops at sh"
    assert option(cmd, "--factory") == f"{process.package}.app:create_app" == process.app
    assert option(cmd, "--host") == "0.0.0.0", f"{name}: bind every interface inside the container"
    # The client address is the platform's decision (chassis.clientaddress), not uvicorn's.
    assert "--no-proxy-headers" in cmd, f"{name}: uvicorn must not rewrite the client from X-Forwarded-For"
    port = dockerfile_port(name)
    assert port == process.port
    exposed = {word.split("/")[0] for keyword, args in stage if keyword == "EXPOSE" for word in args.split()}
    assert str(port) in exposed, f"{name}: EXPOSE {port} missing"
    healthcheck = " ".join(args for keyword, args in stage if keyword == "HEALTHCHECK")
    assert f"127.0.0.1:{port}/health" in healthcheck, f"{name}: HEALTHCHECK must GET /health on {port}"
    users = [args.split(":")[0] for keyword, args in stage if keyword == "USER"]
    assert users, f"{name}: no USER: the process would run as root"
    assert users[-1] not in ("root", "0"), f"{name}: the process must not run as root"


@pytest.mark.parametrize("name", PROCESSES)
def test_dockerfile_installs_from_its_hashed_lock(name: str) -> None:
    steps = image_steps(name)
    lock = f"requirements/{name}.lock"
    assert (REPO_ROOT / lock).is_file(), f"{lock} does not exist: run `make lock`"
    copied = [word for keyword, args in steps if keyword == "COPY" for word in words(args)]
    assert lock in copied, f"{name}: the Dockerfile does not copy {lock}"
    assert any(keyword == "RUN" and "--require-hashes" in args and "-r" in args.split() for keyword, args in steps)
    for keyword, args in steps:
        if keyword == "FROM":
            assert args.split()[0].startswith("python:3.11"), f"{name}: requires-python is 3.11 ({args})"


@pytest.mark.parametrize("name", PROCESSES)
def test_dockerfile_copies_only_what_the_context_sends(name: str) -> None:
    patterns = dockerignore_patterns()
    for keyword, args in image_steps(name):
        if keyword not in ("COPY", "ADD"):
            continue
        argv = words(args)
        if any(word.startswith("--from") for word in argv):
            continue
        for source in [word for word in argv if not word.startswith("--")][:-1]:
            matches = list(REPO_ROOT.glob(source)) if any(c in source for c in "*?[") else [REPO_ROOT / source]
            assert matches, f"{name}: COPY {source}: no such path"
            assert all(m.exists() for m in matches), f"{name}: COPY {source}: no such path"
            assert not dockerignored(source, patterns), f"{name}: COPY {source}, but .dockerignore excludes it"


def test_dockerignore_keeps_local_state_out() -> None:
    patterns = dockerignore_patterns()
    for path in (".git", ".venv", ".cache", ".env", "services/billing/src/billing/__pycache__", "bench/results"):
        assert dockerignored(path, patterns), f".dockerignore lets {path} into the build context"
    for path in ("requirements.lock", "requirements/billing.lock", "libs/chassis/src", "services/teams/src"):
        assert not dockerignored(path, patterns), f".dockerignore excludes {path}"


# --- Kafka: topics as code, SASL/SCRAM principals, ACLs -------------------------------


def test_compose_kafka_scripts_are_generated_from_the_code() -> None:
    """infra/kafka/compose-*.sh are what devstack derives from the contracts and AsyncAPI documents."""
    from devstack.kafkacli import compose_scripts

    for name, text in compose_scripts(REPO_ROOT).items():
        committed = (REPO_ROOT / "infra" / "kafka" / name).read_text(encoding="utf-8")
        assert committed == text, f"infra/kafka/{name} is stale: run python -m devstack kafka compose-scripts"
        mounts = [str(v) for service in load_compose()["services"].values() for v in service.get("volumes") or []]
        assert f"./infra/kafka/{name}:/opt/creditdesk/{name}:ro" in mounts


def test_compose_kafka_creates_topics_and_never_auto_creates() -> None:
    services = load_compose()["services"]
    kafka = compose_env(services["kafka"])
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert str(kafka["KAFKA_SUPER_USERS"]).split(";")[0] == "User:admin"
    assert kafka["CLUSTER_ID"] == compose_env(services["kafka-storage"])["CLUSTER_ID"]
    # The controller listener (PLAINTEXT, its client is ANONYMOUS) is not reachable from the network.
    assert "CONTROLLER://localhost:" in str(kafka["KAFKA_LISTENERS"])
    assert str(kafka["KAFKA_ADVERTISED_LISTENERS"]).startswith("SASL_PLAINTEXT://")
    from chassis.settings import ServiceSettings

    init = compose_env(services["kafka-init"])
    default = ServiceSettings.model_fields["kafka_topic_partitions"].default
    assert resolve(init["KAFKA_TOPIC_PARTITIONS"] or "") == str(default) == str(kafka["KAFKA_NUM_PARTITIONS"])


@pytest.mark.parametrize("name", [p for p in PROCESSES if p not in NO_KAFKA])
def test_each_service_is_its_own_kafka_principal(name: str) -> None:
    """Own SCRAM user and password (the one kafka-storage registers), after kafka-init ran."""
    services = load_compose()["services"]
    env, prefix = compose_env(services[name]), f"{name.upper()}_"
    assert env[f"{prefix}KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert env[f"{prefix}KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert env[f"{prefix}KAFKA_SASL_USERNAME"] == name
    password = env[f"{prefix}KAFKA_SASL_PASSWORD"] or ""
    required = INTERPOLATION.fullmatch(password)
    assert required is not None, f"{name}: the Kafka password must come from the operator"
    assert required["name"] == f"{prefix}KAFKA_SASL_PASSWORD"
    assert (required["op"] or "").endswith("?")
    assert compose_env(services["kafka-storage"])[f"{prefix}KAFKA_SASL_PASSWORD"] == password
    for setting in ("KAFKA_TOPIC_PARTITIONS", "KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS"):
        assert env[f"{prefix}{setting}"] == compose_env(services["kafka-init"])[setting], f"{name}: {setting}"
    assert depends_on(services[name]).get("kafka-init") == "service_completed_successfully"


def test_prometheus_loads_the_alert_rules_and_grafana_the_dashboards() -> None:
    compose = load_compose()
    prometheus = yaml.safe_load(PROMETHEUS_FILE.read_text(encoding="utf-8"))
    mounts = {
        str(volume).split(":")[1]: str(volume).split(":")[0] for volume in compose["services"]["prometheus"]["volumes"]
    }
    for rule_file in prometheus["rule_files"]:
        assert rule_file in mounts, f"{rule_file} is not mounted into compose's Prometheus"
        assert (REPO_ROOT / mounts[rule_file]).is_file()
    grafana = {str(v).split(":")[1]: str(v).split(":")[0] for v in compose["services"]["grafana"]["volumes"]}
    dashboards = REPO_ROOT / grafana["/var/lib/grafana/dashboards/creditdesk"]
    assert len(list(dashboards.glob("*.json"))) == 7, "one dashboard per process and one for the bus"
