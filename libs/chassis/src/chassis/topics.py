"""Topics as code: every topic is created explicitly, never by auto-creation.

The contracts name the topics (`Event.topic`, `dead_letter_topic`); this module
creates them with the declared partition count and the environment's
replication settings. Each service creates, at start, the topics it publishes
and its dead-letter topic; the local stack (devstack) and compose's kafka-init
create them all before any service starts, so a consumer never subscribes to a
topic that does not exist yet.

Creating is idempotent: an existing topic is fine. One with fewer partitions
than declared is reported in one log line and left as it is (adding partitions
moves keys to other partitions, which breaks per-aggregate ordering: an
operator decides).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import REGISTRY, Event, dead_letter_topic

log = logging.getLogger("chassis.topics")

# Kafka error codes met when creating topics.
TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class TopicPolicy:
    """How many partitions and replicas every topic of an environment gets."""

    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1

    def new_topic(self, name: str) -> NewTopic:
        return NewTopic(
            name,
            num_partitions=self.partitions,
            replication_factor=self.replication_factor,
            topic_configs={"min.insync.replicas": str(self.min_insync_replicas)},
        )


@dataclass(frozen=True)
class TopicReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]
    # Topics found with fewer partitions than declared: name -> partitions found.
    under_partitioned: Mapping[str, int]


def service_topics(service: str, publishes: Iterable[type[Event]]) -> list[str]:
    """What a service creates at start: the topics it publishes and its dead-letter topic."""
    return sorted({*(cls.topic for cls in publishes), dead_letter_topic(service)})


def contract_topics(services: Iterable[str]) -> list[str]:
    """Every topic of the platform: each contract's, and each service's dead-letter topic."""
    return sorted({*(cls.topic for cls in REGISTRY), *(dead_letter_topic(s) for s in services)})


def client_options(
    *, security_protocol: str, sasl_mechanism: str, username: str, password: str | None
) -> dict[str, Any]:
    """aiokafka keyword arguments for a (possibly SASL) connection."""
    if not security_protocol.startswith("SASL_"):
        return {"security_protocol": security_protocol}
    return {
        "security_protocol": security_protocol,
        "sasl_mechanism": sasl_mechanism,
        "sasl_plain_username": username,
        "sasl_plain_password": password or "",
    }


async def partitions_of(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> dict[str, int]:
    """Partition count of each of `topics` that exists (and that this principal may describe)."""
    found: dict[str, int] = {}
    for topic in await admin.describe_topics(list(topics)):
        if topic["error_code"] == 0:
            found[topic["topic"]] = len(topic["partitions"])
    return found


async def ensure_topics(admin: AIOKafkaAdminClient, topics: Sequence[str], policy: TopicPolicy) -> TopicReport:
    """Create the missing topics; report those with fewer partitions than declared."""
    existing = await partitions_of(admin, topics)
    missing = [t for t in topics if t not in existing]
    created: list[str] = []
    if missing:
        response = await admin.create_topics([policy.new_topic(t) for t in missing])
        for name, code, *rest in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TOPIC_ALREADY_EXISTS:  # created concurrently by another instance: fine
                message = rest[0] if rest else ""
                raise RuntimeError(f"creating topic {name} failed: Kafka error {code} {message or ''}".strip())
        existing |= await partitions_of(admin, [t for t in missing if t not in created])
    short = {t: n for t, n in existing.items() if n < policy.partitions}
    for topic, count in sorted(short.items()):
        log.warning(
            "topic %s has %d partitions, fewer than the %d declared (KAFKA_TOPIC_PARTITIONS): "
            "used as it is; add partitions deliberately (kafka-topics --alter), keys will move",
            topic,
            count,
            policy.partitions,
        )
    return TopicReport(
        created=tuple(sorted(created)),
        existing=tuple(sorted(t for t in existing if t not in created)),
        under_partitioned=short,
    )
