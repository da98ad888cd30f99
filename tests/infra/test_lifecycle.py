"""Process management: idempotent start, busy ports, pid safety, readiness errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack import DevstackError, Stack, StackConfig
from devstack.component import Component
from devstack.services import Service, ServiceProcess
from devstack.smtp import SmtpSink

# Starts and stops real processes (devstack's lifecycle): not a unit test.
pytestmark = pytest.mark.tools

HERE = Path(__file__).parent


@pytest.fixture
def scratch_config(tmp_path: Path) -> StackConfig:
    """A test-profile config whose state lives in tmp_path (own pid files and logs)."""
    return StackConfig.for_profile("test", env={"CREDITDESK_CACHE_DIR": str(tmp_path)})


@pytest.fixture
def foreign_process() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.infra
def test_second_start_reuses_running_processes(stack: Stack) -> None:
    before = {name: info["pid"] for name, info in stack.status().items() if info["running"]}
    assert {"kafka", "mongo", "smtp"} <= before.keys()

    again = Stack(StackConfig.for_profile("test"))  # a fresh object, like a second `up`
    assert again.start_infra() == {"kafka": False, "mongo": False, "smtp": False}
    after = {name: info["pid"] for name, info in again.status().items() if info["running"]}
    assert after == before


def test_port_held_by_a_foreign_socket_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {"CREDITDESK_CACHE_DIR": str(tmp_path), "CREDITDESK_SMTP_PORT": str(port)}
        sink = SmtpSink(StackConfig.for_profile("test", env=env), sys.executable)
        with pytest.raises(DevstackError) as caught:
            sink.start()
    assert str(caught.value) == (f"port {port} is in use by another process: stop it or set CREDITDESK_SMTP_PORT")
    assert not sink.process.pid_file.exists()


def test_stop_never_signals_a_process_that_is_not_ours(
    scratch_config: StackConfig, foreign_process: subprocess.Popen[bytes]
) -> None:
    sink = SmtpSink(scratch_config, sys.executable)
    pids = scratch_config.pid_dir
    pids.mkdir(parents=True)

    # A pid file pointing at someone else's process (as after pid recycling),
    # with and without the recorded command line of what we had started.
    for cmdline in (None, b"\0".join(a.encode() for a in sink.argv()) + b"\0"):
        (pids / "smtp.pid").write_text(f"{foreign_process.pid}\n")
        if cmdline is not None:
            (pids / "smtp.cmdline").write_bytes(cmdline)
        assert not sink.is_running()
        assert sink.stop() is False
        assert foreign_process.poll() is None, "devstack signalled a foreign process"
        assert not (pids / "smtp.pid").exists()  # the stale pid file is cleaned up


def test_start_then_stop_our_own_process(scratch_config: StackConfig) -> None:
    env = {"CREDITDESK_CACHE_DIR": str(scratch_config.cache_dir), "CREDITDESK_SMTP_PORT": str(_free_port())}
    sink = SmtpSink(StackConfig.for_profile("test", env=env), sys.executable)
    assert sink.up() is True
    assert sink.up() is False  # idempotent
    pid = sink.process.pid()
    assert pid is not None
    assert sink.stop() is True
    assert not Path(f"/proc/{pid}").exists() or not sink.is_running()
    assert sink.stop() is False


class _Crashing(Component):
    def argv(self) -> list[str]:
        return [sys.executable, "-c", "print('config error: no such thing', flush=True); raise SystemExit(3)"]


def _own_port(scratch_config: StackConfig, name: str) -> StackConfig:
    """The scratch config with a free port for `name`: the session's services
    may hold the profile's ports while these tests run."""
    env = {"CREDITDESK_CACHE_DIR": str(scratch_config.cache_dir), f"CREDITDESK_{name.upper()}_PORT": str(_free_port())}
    return StackConfig.for_profile("test", env=env)


def test_readiness_failure_quotes_the_log(scratch_config: StackConfig) -> None:
    crashing = _Crashing(_own_port(scratch_config, "identity"), "crashing", ["identity"])
    with pytest.raises(DevstackError, match=r"(?s)crashing exited with code 3 .*config error: no such thing"):
        crashing.up(timeout=10)


def test_service_runs_under_uvicorn_and_answers_ready(scratch_config: StackConfig) -> None:
    port = _free_port()
    env = {"CREDITDESK_CACHE_DIR": str(scratch_config.cache_dir), "CREDITDESK_IDENTITY_PORT": str(port)}
    config = StackConfig.for_profile("test", env=env)
    spec = ServiceProcess("identity", "readyapp", port, {"PYTHONPATH": str(HERE)})
    service = Service(config, spec)
    try:
        assert service.up(timeout=30) is True
        assert service.status()["running"] is True
    finally:
        assert service.stop() is True
    assert "Uvicorn running" in service.process.log_tail()


def test_cli_reports_errors_on_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "logs", "nosuch", "--profile", "test"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("devstack: unknown component 'nosuch'")
    assert len(result.stderr.strip().splitlines()) == 1


class _Stubborn(Component):
    """Ignores SIGTERM, like a hung JVM."""

    stop_timeout = 0.5

    def argv(self) -> list[str]:
        code = (
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)"
        )
        return [sys.executable, "-c", code]

    def probe(self) -> bool:
        return self.process.log_tail(1) == "ready"  # printed once SIGTERM is ignored


def test_stop_falls_back_to_sigkill(scratch_config: StackConfig) -> None:
    stubborn = _Stubborn(_own_port(scratch_config, "billing"), "stubborn", ["billing"])
    assert stubborn.up(timeout=10) is True
    pid = stubborn.process.pid()
    assert stubborn.stop() is True
    assert not stubborn.is_running()
    assert f"stopped stubborn (pid {pid}) with SIGKILL" in stubborn.process.log_tail(1)
