"""Real Kafka broker: round trip, data surviving a stop/start (fault tests do this),
topics as code (no auto-creation, declared partitions), SASL/SCRAM principals
under ACLs, and Kafka's own tools wrapped by devstack."""

from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from chassis.settings import ServiceSettings
from chassis.topics import TopicPolicy, contract_topics, ensure_topics, partitions_of
from contracts import REGISTRY, AccountActivated, MemberRightsChanged, dead_letter_topic
from contracts.events.identity import SessionsRevoked
from devstack import Stack
from devstack.bus import acl_plan, owned_topics
from devstack.kafka import metadata_brokers, new_cluster_id
from devstack.processes import port_open
from devstack.services import BACKENDS

pytestmark = pytest.mark.infra


async def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def _consume_one(bootstrap: str, topic: str) -> bytes:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"g-{uuid.uuid4().hex}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15_000, max_records=1)
        records = [r for rs in batch.values() for r in rs]
        assert records, f"nothing consumed from {topic}"
        value: bytes | None = records[0].value
        assert value is not None
        return value
    finally:
        await consumer.stop()


async def _create_topic(stack: Stack, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def test_produce_consume_round_trip(stack: Stack) -> None:
    topic = f"devstack-rt-{uuid.uuid4().hex[:8]}"
    await _create_topic(stack, topic)
    await _produce(stack.bootstrap_servers, topic, b"hello")
    assert await _consume_one(stack.bootstrap_servers, topic) == b"hello"


async def test_message_survives_broker_restart(stack: Stack) -> None:
    topic = f"devstack-restart-{uuid.uuid4().hex[:8]}"
    await _create_topic(stack, topic)
    await _produce(stack.bootstrap_servers, topic, b"before-stop")

    assert await stack.kafka.stop_async()
    assert not stack.kafka.is_running()
    assert not port_open(stack.kafka.host, stack.kafka.port)

    assert await stack.kafka.up_async()  # True: it really started again
    assert await _consume_one(stack.bootstrap_servers, topic) == b"before-stop"


def test_readiness_probe_is_a_real_metadata_answer(stack: Stack) -> None:
    assert metadata_brokers(stack.kafka.host, stack.kafka.port) == [1]


async def test_the_admin_principal_authenticates_over_sasl(stack: Stack, admin: AIOKafkaAdminClient) -> None:
    assert [b["node_id"] for b in (await admin.describe_cluster())["brokers"]] == [1]
    assert stack.kafka.provision_bus()["acls"] > 0  # idempotent: again on a provisioned broker


def test_cluster_id_looks_like_kafkas() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


# --- topics as code -----------------------------------------------------------------


@pytest.fixture
async def admin(stack: Stack) -> AsyncIterator[AIOKafkaAdminClient]:
    client = stack.kafka.admin_client()
    await client.start()
    yield client
    await client.close()


async def test_every_contract_topic_exists_with_the_declared_partitions(
    stack: Stack, admin: AIOKafkaAdminClient
) -> None:
    topics = contract_topics(BACKENDS)
    assert AccountActivated.topic in topics
    assert dead_letter_topic("billing") in topics
    assert len(topics) == len(list(REGISTRY)) + len(BACKENDS)
    assert await partitions_of(admin, topics) == dict.fromkeys(topics, 6)


async def test_publishing_to_an_unknown_topic_is_refused(stack: Stack) -> None:
    """Auto-creation is off: a produce to a topic nobody created fails, it creates nothing."""
    topic = f"devstack-unknown-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises(KafkaError):
            await producer.send_and_wait(topic, b"x")
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


async def test_ensure_topics_is_idempotent_and_reports_fewer_partitions(
    admin: AIOKafkaAdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    fresh, short = f"devstack-new-{uuid.uuid4().hex[:8]}", f"devstack-short-{uuid.uuid4().hex[:8]}"
    await admin.create_topics([NewTopic(short, num_partitions=2, replication_factor=1)])
    policy = TopicPolicy(partitions=4)
    with caplog.at_level(logging.WARNING, logger="chassis.topics"):
        report = await ensure_topics(admin, [fresh, short], policy)
    assert report.created == (fresh,)
    assert report.under_partitioned == {short: 2}
    warnings = [r.getMessage() for r in caplog.records if r.name == "chassis.topics"]
    assert len(warnings) == 1
    assert short in warnings[0]
    assert "2 partitions, fewer than the 4 declared" in warnings[0]
    again = await ensure_topics(admin, [fresh], policy)  # an existing topic is fine
    assert again.created == ()
    assert await partitions_of(admin, [fresh, short]) == {fresh: 4, short: 2}


# --- SASL/SCRAM principals and ACLs -------------------------------------------------


def _as(stack: Stack, user: str) -> dict[str, Any]:
    return {"bootstrap_servers": stack.kafka.sasl_bootstrap_servers, **stack.kafka.client_options(user)}


async def test_a_service_cannot_publish_to_another_owners_topic(stack: Stack) -> None:
    producer = AIOKafkaProducer(**_as(stack, "billing"), acks="all", request_timeout_ms=5000)
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(MemberRightsChanged.topic, b"{}")  # teams' topic
        # ...while its own dead-letter topic is writable.
        await producer.send_and_wait(dead_letter_topic("billing"), b"probe", key=b"acl-test")
    finally:
        await producer.stop()


async def test_a_service_reads_what_it_consumes_and_nothing_else(stack: Stack) -> None:
    async def first_fetch(user: str, topic: str) -> None:
        consumer = AIOKafkaConsumer(topic, **_as(stack, user), group_id=f"{user}.{topic}", auto_offset_reset="earliest")
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=2000)
        finally:
            await consumer.stop()

    await first_fetch("billing", AccountActivated.topic)  # billing subscribes to it
    with pytest.raises(TopicAuthorizationFailedError):
        await first_fetch("ratings", AccountActivated.topic)  # ratings does not


def test_acls_follow_the_contracts() -> None:
    consumes = {"billing": [AccountActivated.topic], "ratings": []}
    plan = {(a.user, a.resource, a.name, a.pattern, a.operation) for a in acl_plan(["billing", "ratings"], consumes)}
    assert ("billing", "topic", AccountActivated.topic, "literal", "read") in plan
    assert ("billing", "group", "billing.", "prefixed", "read") in plan
    assert ("billing", "topic", dead_letter_topic("billing"), "literal", "write") in plan
    assert not [p for p in plan if p[0] == "billing" and p[4] == "write" and p[2] == MemberRightsChanged.topic]
    # Every process reads only the revoked sessions beyond what it consumes, the gateway included.
    assert [p[2] for p in plan if p[0] == "ratings" and p[4] == "read"] == [SessionsRevoked.topic]
    assert [(p[0], p[2], p[4]) for p in plan if p[0] == "gateway"] == [("gateway", SessionsRevoked.topic, "read")]
    assert set(owned_topics("teams")) >= {MemberRightsChanged.topic, dead_letter_topic("teams")}


def test_service_settings_take_the_kafka_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "BILLING_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "BILLING_KAFKA_SASL_USERNAME": "billing",
        "BILLING_KAFKA_SASL_PASSWORD": "s3cr3t-from-the-stack",
    }.items():
        monkeypatch.setenv(key, value)
    from billing.settings import BillingSettings

    options = BillingSettings().kafka_client_options
    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "billing",
        "sasl_plain_password": "s3cr3t-from-the-stack",
    }
    with pytest.raises(ValueError, match="BILLING_KAFKA_SASL_PASSWORD must be set"):
        BillingSettings(environment="production", kafka_sasl_password="changeme")
    assert ServiceSettings(service_name="x").kafka_sasl_username == "x"


# --- Kafka's tools, wrapped ---------------------------------------------------------


def _devstack_kafka(stack: Stack, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "kafka", "--profile", stack.config.profile, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_devstack_kafka_lists_topics_with_partitions(stack: Stack) -> None:
    out = _devstack_kafka(stack, "topics")
    line = next(row for row in out.splitlines() if row.startswith(f"Topic: {AccountActivated.topic}\t"))
    assert "PartitionCount: 6" in line


async def test_devstack_kafka_describes_and_resets_a_group(stack: Stack) -> None:
    """The admin lists groups, describes a group's lag and resets its offsets."""
    topic = f"devstack-groups-{uuid.uuid4().hex[:8]}"
    group = f"g-{uuid.uuid4().hex[:8]}"
    await _create_topic(stack, topic)
    await _produce(stack.bootstrap_servers, topic, b"one")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.bootstrap_servers, group_id=group, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        assert await consumer.getmany(timeout_ms=15_000)
        await consumer.commit()
    finally:
        await consumer.stop()
    assert group in _devstack_kafka(stack, "groups").split()
    described = _devstack_kafka(stack, "groups", "--describe", "--group", group)
    row = next(line.split() for line in described.splitlines() if topic in line)
    assert row[2:6] == ["0", "1", "1", "0"]  # partition, current offset, log end, lag
    _devstack_kafka(
        stack, "groups", "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute"
    )
    described = _devstack_kafka(stack, "groups", "--describe", "--group", group)
    row = next(line.split() for line in described.splitlines() if topic in line)
    assert row[3:6] == ["0", "1", "1"]  # back to offset 0: a lag of 1
