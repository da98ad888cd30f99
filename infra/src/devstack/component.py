"""Common life cycle of every process devstack runs: start, reuse, wait, stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .config import StackConfig, port_env_var
from .errors import DevstackError
from .processes import ManagedProcess, port_in_use, port_open, wait_until


class Component:
    """A named process listening on `ports` (port names from StackConfig.ports).

    Subclasses give the command line and, if a listening socket is not proof
    enough, a stronger readiness probe.
    """

    ready_timeout = 30.0
    stop_timeout = 15.0

    def __init__(self, config: StackConfig, name: str, port_names: Sequence[str]) -> None:
        self.config = config
        self.name = name
        self.port_names = tuple(port_names)
        self.process = ManagedProcess(name, config.pid_dir, config.log_dir)

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def port(self) -> int:
        return self.config.port(self.port_names[0])

    @property
    def log_file(self) -> Path:
        return self.process.log_file

    # Subclass hooks.
    def argv(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> Mapping[str, str] | None:
        return None  # inherit ours

    def prepare(self) -> None:
        """One-off work before the first start (directories, formatting)."""

    def probe(self) -> bool:
        """Is it really serving? Default: the main port accepts connections."""
        return port_open(self.host, self.port)

    # Life cycle.
    def is_running(self) -> bool:
        return self.process.is_running()

    def start(self) -> bool:
        """Start in the background; returns False if ours was already running (reused)."""
        if self.is_running():
            return False
        for name in self.port_names:
            port = self.config.port(name)
            if port_in_use(self.host, port):
                raise DevstackError(f"port {port} is in use by another process: stop it or set {port_env_var(name)}")
        self.prepare()
        self.process.start(self.argv(), cwd=self.config.repo_root, env=self.env())
        return True

    def wait_ready(self, timeout: float | None = None) -> None:
        limit = self.ready_timeout if timeout is None else timeout
        wait_until(self.process, self.probe, limit, f"{self.name} to answer on {self.host}:{self.port}")

    def up(self, timeout: float | None = None) -> bool:
        """start() then wait_ready(); returns whether it had to be started."""
        started = self.start()
        self.wait_ready(timeout)
        return started

    def stop(self) -> bool:
        """Stop it if (and only if) it is ours; returns whether something was stopped."""
        return self.process.stop(self.stop_timeout)

    def kill(self) -> bool:
        """SIGKILL it if (and only if) it is ours, as a crash would; returns whether it was running."""
        killed = self.process.kill()
        # A SIGKILLed JVM's leader can be a zombie while its other threads still hold
        # the sockets: wait until the ports are free, so an up() right after works.
        deadline = time.monotonic() + 10
        while (
            killed
            and time.monotonic() < deadline
            and any(port_in_use(self.host, self.config.port(name)) for name in self.port_names)
        ):
            time.sleep(0.05)
        return killed

    def restart(self, timeout: float | None = None) -> None:
        self.stop()
        self.up(timeout)

    # Async wrappers so async tests can stop/restart without blocking their event loop.
    async def stop_async(self) -> bool:
        return await asyncio.to_thread(self.stop)

    async def kill_async(self) -> bool:
        return await asyncio.to_thread(self.kill)

    async def up_async(self) -> bool:
        return await asyncio.to_thread(self.up)

    def status(self) -> dict[str, object]:
        return {
            "running": self.is_running(),
            "pid": self.process.pid(),
            "port": self.port,
            "log": str(self.log_file),
        }
