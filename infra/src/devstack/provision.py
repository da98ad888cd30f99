"""Prerequisite checks and jar provisioning (Maven -> .cache/infra), idempotent.

Each component's jars are copied by `dependency:copy-dependencies` into a
temporary directory that is renamed into place, and a marker records the
pom it came from: an interrupted run never looks complete, a changed pom
triggers a fresh copy, and an unchanged one is a no-op that needs no Maven.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .config import StackConfig
from .errors import DevstackError

MIN_JAVA = 17
MARKER = ".provisioned.json"
JAVA_HINT = "install a Java 17+ JDK (Debian: apt-get install openjdk-17-jre-headless)"
MAVEN_HINT = "install Apache Maven (Debian: apt-get install maven)"


@dataclass(frozen=True)
class Artifact:
    name: str
    pom: Path
    home: Path

    @property
    def libs(self) -> Path:
        return self.home / "libs"


def artifacts(config: StackConfig) -> list[Artifact]:
    return [
        Artifact("kafka", config.infra_src / "kafka" / "pom.xml", config.kafka_home),
        Artifact("mongo-java-server", config.infra_src / "mongo" / "pom.xml", config.mongo_home),
    ]


@functools.cache  # `java -version` costs a JVM start; the answer does not change
def java_executable() -> str:
    """Path of a Java 17+ `java`, or a DevstackError saying how to get one."""
    java = shutil.which("java")
    if java is None:
        raise DevstackError(f"java not found: {JAVA_HINT}")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    # `java -version` writes e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_392") to stderr.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if match is None:
        raise DevstackError(f"cannot tell the version of {java}: {JAVA_HINT}")
    major = int(match.group(2) if match.group(1) == "1" else match.group(1))
    if major < MIN_JAVA:
        raise DevstackError(f"{java} is Java {major}, Kafka 4 needs {MIN_JAVA}+: {JAVA_HINT}")
    return java


def maven_executable() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DevstackError(f"mvn not found (needed once, to fetch the jars): {MAVEN_HINT}")
    return mvn


def _pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def is_provisioned(artifact: Artifact) -> bool:
    marker = artifact.home / MARKER
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return recorded.get("pom_sha256") == _pom_digest(artifact.pom) and artifact.libs.is_dir()


@contextmanager
def _lock(directory: Path) -> Iterator[None]:
    # Two `up`s (or parallel test sessions) provisioning at once must not race on the rename.
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".provision.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_jars(artifact: Artifact, mvn: str) -> int:
    staging = artifact.home / f"libs.partial-{time.time_ns()}"
    cmd = [mvn, "-q", "-B", "-f", str(artifact.pom), "dependency:copy-dependencies", f"-DoutputDirectory={staging}"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise DevstackError(
            f"Maven could not resolve the {artifact.name} jars (is the Maven repository reachable?):\n{tail}"
        )
    jars = sorted(staging.glob("*.jar"))
    if not jars:
        shutil.rmtree(staging, ignore_errors=True)
        raise DevstackError(f"Maven copied no jars for {artifact.name} from {artifact.pom}")
    shutil.rmtree(artifact.libs, ignore_errors=True)
    staging.rename(artifact.libs)
    marker = {"pom_sha256": _pom_digest(artifact.pom), "jars": [j.name for j in jars], "at": time.time()}
    (artifact.home / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    return len(jars)


def provision(config: StackConfig) -> dict[str, str]:
    """Check prerequisites and make sure every component's jars are in the cache.

    Returns, per component, "cached" or "provisioned (N jars)". Maven is only
    required when something is missing, so a warm cache works without it.
    """
    java_executable()
    report: dict[str, str] = {}
    pending = [a for a in artifacts(config) if not is_provisioned(a)]
    for artifact in artifacts(config):
        if artifact not in pending:
            report[artifact.name] = "cached"
    if not pending:
        return report
    mvn = maven_executable()
    with _lock(config.cache_dir / "infra"):
        for artifact in pending:
            if is_provisioned(artifact):  # another process did it while we waited for the lock
                report[artifact.name] = "cached"
                continue
            artifact.home.mkdir(parents=True, exist_ok=True)
            report[artifact.name] = f"provisioned ({_copy_jars(artifact, mvn)} jars)"
    return report


def require_provisioned(config: StackConfig) -> None:
    missing = [a.name for a in artifacts(config) if not is_provisioned(a)]
    if missing:
        raise DevstackError(f"{', '.join(missing)} not provisioned: run `python -m devstack provision`")
