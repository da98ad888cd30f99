"""Single-node Apache Kafka (KRaft, broker + controller in one JVM) from the cached jars."""

from __future__ import annotations

import base64
import os
import socket
import struct
import subprocess
import uuid

from .component import Component
from .config import StackConfig
from .errors import DevstackError
from .provision import java_executable

NODE_ID = 1
# C1-only JIT: starts ~1 s faster on a small machine (this matters to fault
# tests that restart the broker); plenty for a development broker. Benchmarks
# can set CREDITDESK_KAFKA_JVM_OPTS (e.g. "-Xmx1g -Xms1g") to get C2 back.
JVM_OPTS = "-Xmx512m -Xms256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"
JVM_OPTS_ENV = "CREDITDESK_KAFKA_JVM_OPTS"


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
        super().__init__(config, "kafka", ["kafka", "kafka_controller"])

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

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
        ctrl = c.port("kafka_controller")
        props = {
            "process.roles": "broker,controller",
            "node.id": str(NODE_ID),
            "controller.quorum.bootstrap.servers": f"{host}:{ctrl}",
            "listeners": f"PLAINTEXT://{host}:{self.port},CONTROLLER://{host}:{ctrl}",
            "advertised.listeners": f"PLAINTEXT://{host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(c.kafka_data_dir),
            "num.partitions": "3",
            "auto.create.topics.enable": "true",
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
        self.config.kafka_data_dir.mkdir(parents=True, exist_ok=True)
        (self.config.kafka_dir / "server.properties").write_text(self.server_properties())
        if not (self.config.kafka_data_dir / "meta.properties").exists():
            self._format_storage()

    def _format_storage(self) -> None:
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
