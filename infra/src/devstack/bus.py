"""The bus as code: Kafka users, topics and ACLs, derived from the contracts.

* Users: one SCRAM principal per service plus `admin` (devstack, operators),
  passwords generated per stack into the profile's state directory (never
  committed), handed to the broker at storage-format time.
* Topics: every contract's topic and each service's dead-letter topic, with
  the declared partition count (chassis.topics, the code services use too).
* ACLs: the owner of each event may WRITE (and CREATE) its topic; a service
  WRITEs its dead-letter topic; it may READ the topics it subscribes to (the
  `receive` operations of its exported AsyncAPI document, generated from its
  code) and its consumer groups (`<service>.<topic>`, a prefixed ACL).

The same plan renders the compose init script (`python -m devstack kafka
compose-init`), so the deployment and the local stack never drift.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aiokafka.protocol.admin import CreateAclsRequest

from chassis.topics import TopicPolicy, contract_topics, ensure_topics
from contracts import REGISTRY, dead_letter_topic
from contracts.events.identity import SessionsRevoked

ADMIN = "admin"
SCRAM_MECHANISM = "SCRAM-SHA-512"
# Partitions of every topic of a local stack (one broker: one replica, the default policy).
PARTITIONS_ENV = "CREDITDESK_KAFKA_TOPIC_PARTITIONS"


def local_topic_policy() -> TopicPolicy:
    raw = os.environ.get(PARTITIONS_ENV, "").strip()
    return TopicPolicy(partitions=int(raw)) if raw.isdigit() and int(raw) > 0 else TopicPolicy()


Resource = Literal["topic", "group"]
Pattern = Literal["literal", "prefixed"]
Operation = Literal["read", "write", "create"]

# Kafka's wire codes (org.apache.kafka.common.resource / acl enums).
RESOURCE_CODES: Mapping[str, int] = {"topic": 2, "group": 3}
PATTERN_CODES: Mapping[str, int] = {"literal": 3, "prefixed": 4}
OPERATION_CODES: Mapping[str, int] = {"read": 3, "write": 4, "create": 5}
ALLOW = 3


@dataclass(frozen=True, order=True)
class Acl:
    user: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation

    @property
    def principal(self) -> str:
        return f"User:{self.user}"


class KafkaCredentials:
    """SCRAM passwords of a stack's Kafka users, generated once, kept in a 0600 file."""

    def __init__(self, path: Path, users: Sequence[str]) -> None:
        self.path = path
        self.users = tuple(users)

    def load(self) -> dict[str, str]:
        known: dict[str, str] = {}
        if self.path.exists():
            known = {str(k): str(v) for k, v in json.loads(self.path.read_text()).items()}
        missing = [u for u in self.users if u not in known]
        if missing:
            known |= {u: secrets.token_urlsafe(24) for u in missing}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(known, handle, indent=2, sort_keys=True)
            temporary.replace(self.path)
        return known

    def password(self, user: str) -> str:
        return self.load()[user]


def owned_topics(service: str) -> list[str]:
    """What `service` may write: the topics of the events it owns, and its dead-letter topic."""
    return sorted({*(c.topic for c in REGISTRY if c.event_owner == service), dead_letter_topic(service)})


def subscriptions(asyncapi: Mapping[str, Any]) -> list[str]:
    """The topics a service consumes, from its AsyncAPI document's `receive` operations."""
    channels = asyncapi.get("channels", {})
    topics = set()
    for operation in asyncapi.get("operations", {}).values():
        if operation.get("action") != "receive":
            continue
        key = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        topics.add(channels[key]["address"])
    return sorted(topics)


def exported_subscriptions(docs_dir: Path, services: Iterable[str]) -> dict[str, list[str]]:
    """Per service, what it consumes, from `docs/asyncapi/<service>.json` (`make docs`)."""
    result: dict[str, list[str]] = {}
    for service in services:
        path = docs_dir / "asyncapi" / f"{service}.json"
        result[service] = subscriptions(json.loads(path.read_text())) if path.exists() else []
    return result


# Every process reads the revoked sessions over a window, without a consumer
# group (chassis.revocation), so every principal may read that topic.
READ_BY_EVERY_PROCESS: tuple[str, ...] = (SessionsRevoked.topic,)
# Principals that publish nothing and read only READ_BY_EVERY_PROCESS.
READ_ONLY_PROCESSES: tuple[str, ...] = ("gateway",)


def acl_plan(services: Iterable[str], consumes: Mapping[str, Sequence[str]]) -> list[Acl]:
    """Least privilege per service: write its own topics, read what it consumes, its groups;
    and every process (the gateway included) reads the revoked sessions."""
    services = list(services)
    acls: set[Acl] = {
        Acl(principal, "topic", topic, "literal", "read")
        for principal in (*services, *READ_ONLY_PROCESSES)
        for topic in READ_BY_EVERY_PROCESS
    }
    for service in services:
        for topic in owned_topics(service):
            acls.add(Acl(service, "topic", topic, "literal", "write"))
            acls.add(Acl(service, "topic", topic, "literal", "create"))
        for topic in consumes.get(service, ()):
            acls.add(Acl(service, "topic", topic, "literal", "read"))
        if consumes.get(service):
            acls.add(Acl(service, "group", f"{service}.", "prefixed", "read"))
    return sorted(acls)


def all_topics(services: Iterable[str]) -> list[str]:
    return contract_topics(services)


# --- compose ------------------------------------------------------------------------

# Where compose's one-shot containers find their scripts (mounted from infra/kafka/).
COMPOSE_STORAGE_SCRIPT = "compose-storage.sh"
COMPOSE_INIT_SCRIPT = "compose-init.sh"


def password_variable(user: str) -> str:
    """The compose variable holding a Kafka user's password (the service's own setting)."""
    return "KAFKA_ADMIN_PASSWORD" if user == ADMIN else f"{user.upper()}_KAFKA_SASL_PASSWORD"


def compose_storage_script(services: Sequence[str]) -> str:
    """The kafka-storage container's script: format once, with every SCRAM user."""
    users = " ".join((ADMIN, *services, *READ_ONLY_PROCESSES))
    return "\n".join(
        [
            "#!/bin/bash",
            "# Generated by `python -m devstack kafka compose-scripts`; tests/deploy checks it is current.",
            "# Formats the broker's storage once (KRaft), with a SCRAM user per service and the admin:",
            "# SCRAM credentials of a KRaft cluster are written at format time. Changing a password",
            "# later: kafka-configs.sh --alter --entity-type users --entity-name NAME --add-config ...",
            "set -euo pipefail",
            "cat > /tmp/format.properties <<EOF",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@localhost:9093",
            "controller.listener.names=CONTROLLER",
            "listeners=SASL_PLAINTEXT://:9092,CONTROLLER://localhost:9093",
            "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=SASL_PLAINTEXT",
            "log.dirs=/var/lib/kafka/data",
            "EOF",
            "args=()",
            f"for user in {users}; do",
            '  if [ "$user" = admin ]; then var=KAFKA_ADMIN_PASSWORD; else var="${user^^}_KAFKA_SASL_PASSWORD"; fi',
            f'  args+=(--add-scram "{SCRAM_MECHANISM}=[name=$user,password=${{!var:?$var is not set}}]")',
            "done",
            '/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" \\',
            '  --config /tmp/format.properties "${args[@]}"',
            "",
        ]
    )


def compose_init_script(services: Sequence[str], consumes: Mapping[str, Sequence[str]]) -> str:
    """The kafka-init container's script: topics, then ACLs, with Kafka's own tools."""
    tool = 'kafka() { /opt/kafka/bin/"$@" --bootstrap-server kafka:9092 --command-config /tmp/admin.properties; }'
    lines = [
        "#!/bin/bash",
        "# Generated by `python -m devstack kafka compose-scripts` from the contracts and the",
        "# services' AsyncAPI documents; tests/deploy/test_compose.py checks it is current.",
        "# Creates every topic (idempotent) and each service's ACLs, as the admin principal.",
        "set -euo pipefail",
        "cat > /tmp/admin.properties <<EOF",
        "security.protocol=SASL_PLAINTEXT",
        f"sasl.mechanism={SCRAM_MECHANISM}",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
        '  username="admin" password="${KAFKA_ADMIN_PASSWORD:?}";',
        "EOF",
        tool,
        "",
    ]
    for topic in all_topics(services):
        lines.append(
            f"kafka kafka-topics.sh --create --if-not-exists --topic {topic}"
            ' --partitions "${KAFKA_TOPIC_PARTITIONS:-6}" --replication-factor "${KAFKA_REPLICATION_FACTOR:-1}"'
            ' --config "min.insync.replicas=${KAFKA_MIN_INSYNC_REPLICAS:-1}"'
        )
    lines.append("")
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for acl in acl_plan(services, consumes):
        grouped.setdefault((acl.user, acl.resource, acl.pattern, acl.operation), []).append(acl.name)
    for (user, resource, pattern, operation), names in sorted(grouped.items()):
        targets = " ".join(f"--{resource} {shlex.quote(name)}" for name in names)
        lines.append(
            f"kafka kafka-acls.sh --add --allow-principal User:{user} --operation {operation.capitalize()}"
            f" --resource-pattern-type {pattern} {targets}"
        )
    lines.append('echo "kafka-init: topics and ACLs in place"')
    return "\n".join(lines) + "\n"


async def provision_bus(
    admin: Any, services: Sequence[str], consumes: Mapping[str, Sequence[str]], policy: TopicPolicy
) -> dict[str, Any]:
    """Create every topic and ACL through an admin client (idempotent)."""
    report = await ensure_topics(admin, all_topics(services), policy)
    plan = acl_plan(services, consumes)
    for acl in plan:
        request = CreateAclsRequest(
            RESOURCE_CODES[acl.resource],
            acl.name,
            PATTERN_CODES[acl.pattern],
            acl.principal,
            "*",
            OPERATION_CODES[acl.operation],
            ALLOW,
        )
        # aiokafka has the CreateAcls request but no public method for it.
        response = await admin._send_request(request)
        for code, message in response.creation_responses:
            if code != 0:
                raise RuntimeError(f"creating ACL {acl} failed: Kafka error {code} {message or ''}")
    return {"topics_created": list(report.created), "acls": len(plan)}
