"""Background processes that devstack starts, finds again and stops safely.

A process is "ours" only if its pid file exists AND /proc/<pid>/cmdline is
byte-for-byte the command line recorded when we started it. Pids get
recycled; checking the command line means a stale pid file can never make
us signal somebody else's process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx

from .errors import DevstackError

LOG_ROTATE_BYTES = 20 * 1024 * 1024
START_MARK = "=== devstack: starting"

# Popen objects of children started by this interpreter, so they can be reaped
# (no zombies, no "subprocess still running" warnings) when we stop them.
_children: dict[int, subprocess.Popen[bytes]] = {}


def _cmdline_bytes(argv: Sequence[str]) -> bytes:
    # The kernel's format: every argument NUL-terminated.
    return b"".join(os.fsencode(a) + b"\0" for a in argv)


def _read_proc(pid: int, entry: str) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/{entry}").read_bytes()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        return False  # reaped; the Popen keeps the exit code for error messages
    stat = _read_proc(pid, "stat")
    if stat is None:
        return False
    # Field 3, after the parenthesised command name (which may itself contain spaces).
    state = stat.rsplit(b")", 1)[-1].split()[0]
    return state not in (b"Z", b"X")


class ManagedProcess:
    """One named background process with its pid file and log file."""

    def __init__(self, name: str, pid_dir: Path, log_dir: Path) -> None:
        self.name = name
        self.pid_file = pid_dir / f"{name}.pid"
        self.cmdline_file = pid_dir / f"{name}.cmdline"
        self.log_file = log_dir / f"{name}.log"

    def pid(self) -> int | None:
        """The pid of our running process, or None (stale pid files count as None)."""
        try:
            pid = int(self.pid_file.read_text().strip())
            expected = self.cmdline_file.read_bytes()
        except (OSError, ValueError):
            return None
        if _read_proc(pid, "cmdline") != expected or not _alive(pid):
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> int:
        """Start detached (own session, no terminal), output appended to the log file."""
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        if self.log_file.exists() and self.log_file.stat().st_size > LOG_ROTATE_BYTES:
            self.log_file.replace(self.log_file.with_suffix(".log.1"))
        with self.log_file.open("ab") as log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"\n{START_MARK} {self.name} at {stamp}: {' '.join(argv)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the terminal/CLI and gets no Ctrl-C
            )
        _children[proc.pid] = proc
        expected = _cmdline_bytes(argv)
        # Popen returns once exec has begun, but the kernel publishes the new
        # argv a moment later (cmdline reads empty in between): wait for it so
        # the ownership check never sees a half-started process as foreign.
        deadline = time.monotonic() + 2.0
        while _read_proc(proc.pid, "cmdline") != expected and proc.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        self.cmdline_file.write_bytes(expected)
        self.pid_file.write_text(f"{proc.pid}\n")
        return proc.pid

    def exit_code(self) -> int | None:
        """Exit status if we started it in this interpreter and it has exited."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        child = _children.get(pid)
        return child.poll() if child is not None else None

    def stop(self, timeout: float = 15.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout` seconds. Returns True if it was ours and running."""
        return self._end(grace=timeout)

    def kill(self) -> bool:
        """SIGKILL at once (fault tests: a crash, no shutdown hook runs). True if it was ours and running."""
        return self._end(grace=None)

    def _end(self, grace: float | None) -> bool:
        """SIGTERM with `grace` seconds before SIGKILL, or SIGKILL at once (None)."""
        pid = self.pid()
        if pid is None:
            self._forget()
            return False
        # Signal the whole session/group we created (pgid == pid) so helpers die too.
        try:
            target_group = os.getpgid(pid) == pid
        except ProcessLookupError:
            self._forget()
            return False
        if grace is None:
            self._signal(pid, signal.SIGKILL, target_group)
            _wait_exit(pid, 5.0)
            what = "killed", "SIGKILL"
        else:
            self._signal(pid, signal.SIGTERM, target_group)
            how = "SIGTERM"
            if not _wait_exit(pid, grace):
                self._signal(pid, signal.SIGKILL, target_group)
                _wait_exit(pid, 5.0)
                how = f"SIGKILL (still running {grace:.0f}s after SIGTERM)"
            what = "stopped", how
        self._forget()
        # Say so in the log: a SIGKILLed broker explains a slow next start (log recovery).
        with contextlib.suppress(OSError), self.log_file.open("a") as log:
            log.write(f"=== devstack: {what[0]} {self.name} (pid {pid}) with {what[1]}\n")
        return True

    @staticmethod
    def _signal(pid: int, sig: signal.Signals, group: bool) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)

    def _forget(self) -> None:
        for path in (self.pid_file, self.cmdline_file):
            path.unlink(missing_ok=True)

    def log_tail(self, lines: int = 25, current_run_only: bool = False) -> str:
        """The last `lines` lines of the log (optionally only from the latest start)."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - 64 * 1024))
                text = log.read().decode(errors="replace")
        except OSError:
            return "(no log yet)"
        if current_run_only and START_MARK in text:
            text = text[text.rindex(START_MARK) :]
        return "\n".join(text.splitlines()[-lines:])


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            _children.pop(pid, None)
            return True
        time.sleep(0.05)
    return False


def port_in_use(host: str, port: int) -> bool:
    """True if something listens on host:port (binding is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so TIME_WAIT leftovers of a just-stopped server do not count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(
    process: ManagedProcess, check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
) -> None:
    """Poll `check` until true; fail early if the process died, quoting its log either way."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if not process.is_running():
            code = process.exit_code()
            status = f"exited with code {code}" if code is not None else "is not running"
            raise DevstackError(
                f"{process.name} {status} before {what}; last lines of {process.log_file}:\n"
                f"{process.log_tail(current_run_only=True)}"
            )
        if time.monotonic() >= deadline:
            raise DevstackError(
                f"{process.name} not ready after {timeout:.0f}s (waiting for {what}); "
                f"last lines of {process.log_file}:\n{process.log_tail(current_run_only=True)}"
            )
        time.sleep(interval)
