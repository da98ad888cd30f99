"""Where everything lives and which ports it uses, per profile.

Two profiles exist so `make test` never touches the stack of `make up`: `dev`
uses the conventional ports, `test` the same ports + 10000 and its own state
directory. Jars are shared by both profiles (they never change at run time).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from .errors import DevstackError

Profile = Literal["dev", "test", "bench"]
PROFILES: tuple[Profile, ...] = ("dev", "test", "bench")

KAFKA_VERSION = "4.4.0"
MONGO_JAVA_SERVER_VERSION = "1.47.0"

# Every port the stack binds, by name. Other profiles add their PORT_OFFSETS.
DEV_PORTS: Mapping[str, int] = MappingProxyType(
    {
        "kafka": 9092,
        "kafka_controller": 9093,
        "kafka_sasl": 9094,
        "mongo": 27017,
        "smtp": 1025,
        "gateway": 8000,
        "identity": 8001,
        "billing": 8002,
        "recovery": 8003,
        "ratings": 8004,
        "teams": 8005,
        "portal": 8080,
    }
)
# The services that can run as several processes (not the gateway: it is the one front).
SCALABLE: tuple[str, ...] = ("identity", "billing", "recovery", "ratings", "teams")
TEST_PORT_OFFSET = 10000
# The benchmarks' own stack, so their event history never slows the tests down.
PORT_OFFSETS: Mapping[str, int] = MappingProxyType({"dev": 0, "test": TEST_PORT_OFFSET, "bench": 20000})
LOOPBACK = "127.0.0.1"
# Scale-out (`up --instances billing=2`): instance k (2, 3, ...) of a service listens on its
# first instance's port + INSTANCE_PORT_STEP * (k - 1), inside the same block of ports.
INSTANCE_PORT_STEP = 50
MAX_INSTANCES = 4
INSTANCES_ENV = "CREDITDESK_INSTANCES"


def instance_name(service: str, k: int) -> str:
    """The component name of a service's k-th instance: billing, billing-2, billing-3, ..."""
    return service if k == 1 else f"{service}-{k}"


def parse_instances(text: str, services: tuple[str, ...]) -> dict[str, int]:
    """`billing=2,identity=2` -> {"billing": 2, "identity": 2}; every other service has one."""
    counts: dict[str, int] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not raw.strip().isdigit():
            raise DevstackError(f"instances: {item!r} is not NAME=COUNT (e.g. billing=2)")
        if name not in services:
            raise DevstackError(f"instances: unknown service {name!r}: one of {', '.join(services)}")
        count = int(raw)
        if not 1 <= count <= MAX_INSTANCES:
            raise DevstackError(f"instances: {name}={count}: between 1 and {MAX_INSTANCES}")
        counts[name] = count
    return counts


def port_env_var(name: str) -> str:
    """The variable that overrides a port, e.g. kafka_controller -> CREDITDESK_KAFKA_CONTROLLER_PORT."""
    return f"CREDITDESK_{name.upper()}_PORT"


def find_repo_root(start: Path | None = None) -> Path:
    """The directory holding both `infra/` and `pyproject.toml` (the workspace root)."""
    candidates = [start] if start else [Path(__file__).resolve().parent, Path.cwd()]
    for origin in candidates:
        for directory in (origin, *origin.parents):
            if (directory / "infra").is_dir() and (directory / "pyproject.toml").is_file():
                return directory
    raise DevstackError("cannot find the repository root (a directory with infra/ and pyproject.toml)")


# Ports that follow another's override when not set themselves, so that an
# existing set of CREDITDESK_*_PORT variables stays free of clashes.
DERIVED_PORTS: Mapping[str, tuple[str, int]] = MappingProxyType({"kafka_sasl": ("kafka", 2)})


def _ports(profile: Profile, env: Mapping[str, str]) -> dict[str, int]:
    offset = PORT_OFFSETS[profile]
    ports: dict[str, int] = {}
    for name, default in DEV_PORTS.items():
        raw = env.get(port_env_var(name), "").strip()
        base, shift = DERIVED_PORTS.get(name, ("", 0))
        if not raw and base and env.get(port_env_var(base), "").strip():
            ports[name] = ports[base] + shift
            continue
        if not raw:
            ports[name] = default + offset
            continue
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise DevstackError(f"{port_env_var(name)}={raw!r} is not a port number (1-65535)")
        ports[name] = int(raw)
    clashes = {p for p in ports.values() if list(ports.values()).count(p) > 1}
    if clashes:
        raise DevstackError(f"the same port is configured twice: {sorted(clashes)}; check CREDITDESK_*_PORT")
    return ports


@dataclass(frozen=True)
class StackConfig:
    profile: Profile
    repo_root: Path
    cache_dir: Path
    ports: Mapping[str, int] = field(default_factory=dict, hash=False)  # a mapping is unhashable
    host: str = LOOPBACK
    # How many processes of a service (scale-out); a service not named has one.
    instances: Mapping[str, int] = field(default_factory=dict, hash=False)

    @classmethod
    def for_profile(
        cls,
        profile: str = "dev",
        env: Mapping[str, str] | None = None,
        repo_root: Path | None = None,
        instances: Mapping[str, int] | None = None,
    ) -> StackConfig:
        """`instances` (or CREDITDESK_INSTANCES, `billing=2,identity=2`) scales services out."""
        if profile not in PROFILES:
            raise DevstackError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
        environ = os.environ if env is None else env
        root = repo_root or find_repo_root()
        override = environ.get("CREDITDESK_CACHE_DIR", "").strip()
        cache = Path(override) if override else root / ".cache"
        ports = _ports(profile, environ)
        if instances is None:
            instances = parse_instances(environ.get(INSTANCES_ENV, ""), SCALABLE)
        extra = {
            instance_name(name, k): ports[name] + INSTANCE_PORT_STEP * (k - 1)
            for name, count in instances.items()
            for k in range(2, count + 1)
        }
        clashes = sorted(set(extra.values()) & set(ports.values()))
        if clashes:
            raise DevstackError(f"the ports of extra instances {sorted(extra)} clash with configured ports {clashes}")
        return cls(
            profile=profile,  # narrowed to Profile by the membership test above
            repo_root=root,
            cache_dir=cache.resolve(),
            ports=MappingProxyType(ports | extra),
            instances=MappingProxyType({name: count for name, count in instances.items() if count > 1}),
        )

    def port(self, name: str) -> int:
        return self.ports[name]

    def instance_count(self, service: str) -> int:
        return self.instances.get(service, 1)

    def instance_names(self, service: str) -> list[str]:
        """The component names of a service's instances, the first being the service's own name."""
        return [instance_name(service, k) for k in range(1, self.instance_count(service) + 1)]

    @property
    def environment(self) -> str:
        """The value of <SERVICE>_ENVIRONMENT for the platform's services."""
        return "development" if self.profile == "dev" else "test"

    # Sources checked into the repository.
    @property
    def infra_src(self) -> Path:
        return self.repo_root / "infra"

    # Shared, provisioned once.
    @property
    def kafka_home(self) -> Path:
        return self.cache_dir / "infra" / f"kafka-{KAFKA_VERSION}"

    @property
    def kafka_libs(self) -> Path:
        return self.kafka_home / "libs"

    @property
    def mongo_home(self) -> Path:
        return self.cache_dir / "infra" / f"mongo-java-server-{MONGO_JAVA_SERVER_VERSION}"

    @property
    def mongo_libs(self) -> Path:
        return self.mongo_home / "libs"

    # Per profile.
    @property
    def state_dir(self) -> Path:
        return self.cache_dir / "stack" / self.profile

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def kafka_data_dir(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def mongo_data_file(self) -> Path:
        return self.state_dir / "mongo" / "data.mv"

    @property
    def mail_dir(self) -> Path:
        return self.state_dir / "mail"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pid_dir(self) -> Path:
        return self.state_dir / "pids"
