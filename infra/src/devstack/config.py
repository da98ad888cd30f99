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
TEST_PORT_OFFSET = 10000
# The benchmarks' own stack, so their event history never slows the tests down.
PORT_OFFSETS: Mapping[str, int] = MappingProxyType({"dev": 0, "test": TEST_PORT_OFFSET, "bench": 20000})
LOOPBACK = "127.0.0.1"


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

    @classmethod
    def for_profile(
        cls, profile: str = "dev", env: Mapping[str, str] | None = None, repo_root: Path | None = None
    ) -> StackConfig:
        if profile not in PROFILES:
            raise DevstackError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
        environ = os.environ if env is None else env
        root = repo_root or find_repo_root()
        override = environ.get("CREDITDESK_CACHE_DIR", "").strip()
        cache = Path(override) if override else root / ".cache"
        return cls(
            profile=profile,  # narrowed to Profile by the membership test above
            repo_root=root,
            cache_dir=cache.resolve(),
            ports=MappingProxyType(_ports(profile, environ)),
        )

    def port(self, name: str) -> int:
        return self.ports[name]

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
