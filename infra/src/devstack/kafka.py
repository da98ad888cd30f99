"""Single-node Apache Kafka (KRaft, broker + controller in one JVM) from the cached jars."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from chassis.topics import TopicPolicy

from .bus import ADMIN, SCRAM_MECHANISM, KafkaCredentials, exported_subscriptions, local_topic_policy, provision_bus
from .component import Component
from .config import StackConfig
from .errors import DevstackError
from .provision import java_executable
from .services import BACKENDS, kafka_credentials

NODE_ID = 1
# C1-only JIT: starts ~1 s faster on a small machine (this matters to fault
# tests that restart the broker); plenty for a development broker. Benchmarks
# can set CREDITDESK_KAFKA_JVM_OPTS (e.g. "-Xmx1g -Xms1g") to get C2 back.
JVM_OPTS = "-Xmx512m -Xms256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"
JVM_OPTS_ENV = "CREDITDESK_KAFKA_JVM_OPTS"
# Main classes of Kafka's command-line tools (kafka-tools jar), by devstack subcommand.
TOOLS = {
    "topics": "org.apache.kafka.tools.TopicCommand",
    "groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "acls": "org.apache.kafka.tools.AclCommand",
    "configs": "org.apache.kafka.tools.ConfigCommand",
}


def new_cluster_id() -> str:
    """What `StorageTool random-uuid` prints, without paying for a JVM start."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka rejects ids that look like command-line flags
            return text


def metadata_brokers(host: str, port: int, timeout: float = 2.0) -> list[int]:
    """Node ids of the live brokers, from a real Metadata request (v4, no topics).

    A broker accepts connections before it is unfenced; only a Metadata answer
    listing a broker proves clients can produce and consume. Hand-rolled so
    devstack needs no Kafka client library.
    """
    body = struct.pack(">i", 0) + b"\x00"  # empty topic list, allow_auto_topic_creation=false
    client = b"devstack"
    header = struct.pack(">hhih", 3, 4, 1, len(client)) + client  # api_key=Metadata, v4, correlation 1
    request = header + body
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        size = struct.unpack(">i", _read_exactly(sock, 4))[0]
        data = _read_exactly(sock, size)
    correlation, _throttle, count = struct.unpack_from(">iii", data, 0)
    if correlation != 1:
        raise OSError("unexpected Kafka response")
    offset, nodes = 12, []
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", data, offset)
        offset += 6 + host_len + 4  # node_id, host, port
        rack_len = struct.unpack_from(">h", data, offset)[0]
        offset += 2 + max(rack_len, 0)
        nodes.append(node_id)
    return nodes


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(remaining)
        if not chunk:
            raise OSError("connection closed by Kafka")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class Kafka(Component):
    ready_timeout = 90.0
    stop_timeout = 30.0  # a clean shutdown avoids log recovery on the next start

    def __init__(self, config: StackConfig) -> None:
        super().__init__(config, "kafka", ["kafka", "kafka_controller", "kafka_sasl"])

    @property
    def bootstrap_servers(self) -> str:
        """The loopback PLAINTEXT listener (tests, local tools): an unauthenticated
        client there is ANONYMOUS, a super user, as on the controller listener."""
        return f"{self.host}:{self.port}"

    @property
    def sasl_bootstrap_servers(self) -> str:
        """The SASL/SCRAM listener the services use, each as its own principal under ACLs."""
        return f"{self.host}:{self.config.port('kafka_sasl')}"

    @property
    def credentials(self) -> KafkaCredentials:
        return kafka_credentials(self.config)

    def client_options(self, user: str = ADMIN) -> dict[str, Any]:
        """aiokafka keyword arguments to connect as `user` (the admin by default)."""
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": SCRAM_MECHANISM,
            "sasl_plain_username": user,
            "sasl_plain_password": self.credentials.password(user),
        }

    @property
    def topic_policy(self) -> TopicPolicy:
        return local_topic_policy()

    @property
    def admin_properties_file(self) -> str:
        return str(self.config.kafka_dir / "admin.properties")

    @property
    def properties_file(self) -> str:
        return str(self.config.kafka_dir / "server.properties")

    def _java_base(self) -> list[str]:
        return [
            java_executable(),
            f"-Dlog4j2.configurationFile={self.config.infra_src / 'kafka' / 'log4j2.properties'}",
            "-cp",
            f"{self.config.kafka_libs}/*",  # expanded by java itself, not by a shell
        ]

    def argv(self) -> list[str]:
        base = self._java_base()
        opts = os.environ.get(JVM_OPTS_ENV, JVM_OPTS).split()
        return [base[0], *opts, *base[1:], "kafka.Kafka", self.properties_file]

    def server_properties(self) -> str:
        c, host = self.config, self.host
        admin_password = self.credentials.password(ADMIN)
        ctrl, sasl = c.port("kafka_controller"), c.port("kafka_sasl")
        props = {
            "process.roles": "broker,controller",
            "node.id": str(NODE_ID),
            "controller.quorum.bootstrap.servers": f"{host}:{ctrl}",
            # Services authenticate with SASL/SCRAM (each its own principal, under
            # ACLs). The controller listener and a PLAINTEXT listener for tests and
            # local tools stay on loopback; their unauthenticated clients are
            # ANONYMOUS, a super user (the broker registers with the controller so).
            # docker-compose.yml has only the SASL listener for clients.
            "listeners": (f"PLAINTEXT://{host}:{self.port},SASL_PLAINTEXT://{host}:{sasl},CONTROLLER://{host}:{ctrl}"),
            "advertised.listeners": f"PLAINTEXT://{host}:{self.port},SASL_PLAINTEXT://{host}:{sasl}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "SASL_PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
            "sasl.enabled.mechanisms": SCRAM_MECHANISM,
            "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
            f"listener.name.sasl_plaintext.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": _jaas(ADMIN, admin_password),
            # ACLs: each service's principal may touch only its own topics (devstack.bus).
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
            "log.dirs": str(c.kafka_data_dir),
            # Topics as code: nothing is created by a produce or a subscription.
            "auto.create.topics.enable": "false",
            "num.partitions": str(self.topic_policy.partitions),
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "group.initial.rebalance.delay.ms": "0",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Internal topics default to 50 partitions: a slow first consumer group
            # and hundreds of files for a laptop broker; a handful is plenty.
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.num.partitions": "5",
            "share.coordinator.state.topic.num.partitions": "5",
            # The log cleaner (compacted __consumer_offsets) reserves 128 MB of a
            # 512 MB heap by default.
            "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
        }
        lines = [f"{k}={v}" for k, v in props.items()]
        return (
            "# Written by devstack at every start; edit infra/src/devstack/kafka.py instead.\n"
            + "\n".join(lines)
            + "\n"
        )

    def prepare(self) -> None:
        users = self.credentials.load()
        fingerprint = hashlib.sha256(json.dumps(users, sort_keys=True).encode()).hexdigest()
        marker = self.config.kafka_dir / "users.sha256"
        data = self.config.kafka_data_dir
        if (data / "meta.properties").exists() and (not marker.exists() or marker.read_text() != fingerprint):
            # SCRAM users are written at format time: storage formatted with other
            # users (or before SASL) is formatted again. Local data only.
            print(f"devstack: Kafka users changed, formatting {data} again (its topics are dropped)")
            shutil.rmtree(data)
        data.mkdir(parents=True, exist_ok=True)
        _write_private(self.config.kafka_dir / "server.properties", self.server_properties())
        _write_private(self.config.kafka_dir / "admin.properties", _client_properties(ADMIN, users[ADMIN]))
        if not (data / "meta.properties").exists():
            self._format_storage(users)
            marker.write_text(fingerprint)

    def _format_storage(self, users: dict[str, str]) -> None:
        # --standalone makes this node the single voter of a dynamic quorum, the
        # counterpart of controller.quorum.bootstrap.servers (not static voters).
        cmd = [
            *self._java_base(),
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            new_cluster_id(),
            "-c",
            self.properties_file,
        ]
        for user, password in sorted(users.items()):
            cmd += ["--add-scram", f"{SCRAM_MECHANISM}=[name={user},password={password}]"]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise DevstackError(
                f"formatting Kafka storage in {self.config.kafka_data_dir} failed:\n"
                f"{(result.stdout + result.stderr).strip()}"
            )

    def probe(self) -> bool:
        try:
            return NODE_ID in metadata_brokers(self.host, self.port)
        except (OSError, struct.error):
            return False

    def admin_client(self, request_timeout_ms: int = 10_000) -> AIOKafkaAdminClient:
        return AIOKafkaAdminClient(
            bootstrap_servers=self.sasl_bootstrap_servers,
            client_id="devstack",
            request_timeout_ms=request_timeout_ms,
            **self.client_options(),
        )

    def up(self, timeout: float | None = None) -> bool:
        started = super().up(timeout)
        self.provision_bus()
        return started

    def provision_bus(self) -> dict[str, Any]:
        """Every topic (declared partitions) and every service's ACLs; idempotent."""

        async def provision() -> dict[str, Any]:
            admin = self.admin_client()
            await admin.start()
            try:
                consumes = exported_subscriptions(self.config.repo_root / "docs", BACKENDS)
                return await provision_bus(admin, BACKENDS, consumes, self.topic_policy)
            finally:
                await admin.close()

        try:
            report: dict[str, Any] = _in_new_loop(provision)
            return report
        except Exception as error:
            raise DevstackError(f"creating Kafka topics and ACLs failed: {error!r}") from error

    def tool_argv(self, tool: str, args: list[str]) -> list[str]:
        """A Kafka command-line tool against this broker, as the admin."""
        return [
            *self._java_base(),
            TOOLS[tool],
            "--bootstrap-server",
            self.sasl_bootstrap_servers,
            "--command-config",
            self.admin_properties_file,
            *args,
        ]


def _jaas(user: str, password: str) -> str:
    return f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{password}";'


def _client_properties(user: str, password: str) -> str:
    return (
        "security.protocol=SASL_PLAINTEXT\n"
        f"sasl.mechanism={SCRAM_MECHANISM}\n"
        f"sasl.jaas.config={_jaas(user, password)}\n"
    )


def _write_private(path: Any, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _in_new_loop(factory: Any) -> Any:
    """Run an async function to completion on a loop of its own (callers may be inside one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
