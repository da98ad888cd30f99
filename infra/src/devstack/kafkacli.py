"""`python -m devstack kafka ...`: Kafka's own command-line tools against the stack's broker.

    python -m devstack kafka topics                  # every topic with its partitions (--describe)
    python -m devstack kafka topics --describe --topic creditdesk.identity.account-activated.v1
    python -m devstack kafka groups                  # every consumer group (--list)
    python -m devstack kafka groups --describe --group billing.creditdesk.identity.account-activated.v1
    python -m devstack kafka groups --reset-offsets --group G --topic T --to-earliest --execute
    python -m devstack kafka acls --list
    python -m devstack kafka compose-scripts   # rewrites infra/kafka/compose-*.sh

Arguments after the tool's name go to the tool unchanged (kafka-topics,
kafka-consumer-groups, kafka-acls, kafka-configs); devstack adds only
`--bootstrap-server` and `--command-config` (the admin principal's SASL/SCRAM
settings, in the profile's state directory).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from .bus import (
    COMPOSE_INIT_SCRIPT,
    COMPOSE_STORAGE_SCRIPT,
    compose_init_script,
    compose_storage_script,
    exported_subscriptions,
)
from .errors import DevstackError
from .kafka import TOOLS
from .services import BACKENDS
from .stack import Stack

DEFAULT_ARGS: dict[str, list[str]] = {
    "topics": ["--describe", "--exclude-internal"],
    "groups": ["--list"],
    "acls": ["--list"],
    "configs": ["--describe", "--entity-type", "brokers", "--entity-default"],
}
COMMANDS = (*TOOLS, "compose-scripts")


def compose_scripts(repo_root: Path) -> dict[str, str]:
    """infra/kafka's scripts for docker-compose.yml's kafka-storage and kafka-init, by file name."""
    consumes = exported_subscriptions(repo_root / "docs", BACKENDS)
    return {
        COMPOSE_STORAGE_SCRIPT: compose_storage_script(BACKENDS),
        COMPOSE_INIT_SCRIPT: compose_init_script(BACKENDS, consumes),
    }


def run(stack: Stack, tool: str, args: Sequence[str]) -> int:
    if tool == "compose-scripts":
        for name, text in compose_scripts(stack.config.repo_root).items():
            path = stack.config.infra_src / "kafka" / name
            path.write_text(text)
            print(path)
        return 0
    if tool not in TOOLS:
        raise DevstackError(f"unknown Kafka tool {tool!r}: one of {', '.join(COMMANDS)}")
    if not stack.kafka.is_running():
        raise DevstackError(f"Kafka of profile {stack.config.profile} is not running: python -m devstack up")
    argv = stack.kafka.tool_argv(tool, list(args) or DEFAULT_ARGS[tool])
    return subprocess.run(argv, check=False).returncode
