"""What the fault tests share: crash a component (SIGKILL, as `kill -9` would),
bring it back through devstack on the same data, wait until every service serves
again, and poll a reconciliation until it holds, timing it.

Generic on purpose: Kafka, Mongo, billing... are all `Stack` components.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx

from devstack.mailbox import Mail, Mailbox
from devstack.stack import Stack

Reconciliation = Callable[[], Awaitable[list[str]]]


async def kill(stack: Stack, name: str) -> None:
    """SIGKILL the component: no shutdown hook, no flush, exactly a crash."""
    assert await asyncio.to_thread(stack.kill, name), f"{name} was not running"


async def restart(stack: Stack, name: str) -> None:
    """Start it again through devstack (same ports, same data) and wait until it answers."""
    await asyncio.to_thread(stack.component(name).up)


async def kill_and_restart(stack: Stack, name: str) -> float:
    """Crash it and bring it straight back; returns how long it was gone (seconds)."""
    began = time.monotonic()
    await kill(stack, name)
    await restart(stack, name)
    return time.monotonic() - began


async def wait_ready(stack: Stack, names: Iterable[str] | None = None, timeout: float = 60) -> None:
    """Poll every service's /ready (or those named) until all answer 200."""
    wanted = list(stack.services) if names is None else list(names)
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            failing = []
            for name in wanted:
                try:
                    answer = await http.get(f"{stack.service_url(name)}/ready")
                    if answer.status_code != 200:
                        failing.append(f"{name}: {answer.status_code}")
                except httpx.HTTPError as exc:
                    failing.append(f"{name}: {type(exc).__name__}")
            if not failing:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready within {timeout}s: {', '.join(failing)}")
            await asyncio.sleep(0.5)


async def converge(reconcile: Reconciliation, timeout: float = 60, interval: float = 0.5) -> float:
    """Poll `reconcile` (it returns the problems it finds) until it finds none.

    Returns the seconds it took; fails with the last problems after `timeout`."""
    began = time.monotonic()
    while True:
        problems = await reconcile()
        if not problems:
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            shown = "\n  ".join(problems[:20])
            raise AssertionError(f"not converged within {timeout}s, {len(problems)} problem(s):\n  {shown}")
        await asyncio.sleep(interval)


class MailWatcher:
    """One poller for many waiting recipients: it parses each new .eml once (a
    `Mailbox.wait_for` per recipient re-parses the whole directory, for each).

    async with MailWatcher(stack.mailbox) as mails:
        mail = await mails.wait_for("someone@example.fr")
    """

    def __init__(self, mailbox: Mailbox, interval: float = 0.25) -> None:
        self.mailbox = mailbox
        self.interval = interval
        self._parser = BytesParser(_class=Mail, policy=policy.default)
        self._seen: set[Path] = set()
        self._first: dict[str, Mail] = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> MailWatcher:
        self._task = asyncio.create_task(self._poll())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _scan(self) -> None:
        for path in self.mailbox.paths():
            if path in self._seen:
                continue
            try:
                with path.open("rb") as handle:
                    mail = self._parser.parse(handle)
            except FileNotFoundError:  # cleared meanwhile
                continue
            self._seen.add(path)
            assert isinstance(mail, Mail)
            for recipient in mail.recipients:
                self._first.setdefault(recipient, mail)

    async def _poll(self) -> None:
        while True:
            await asyncio.to_thread(self._scan)
            await asyncio.sleep(self.interval)

    async def wait_for(self, recipient: str, timeout: float = 60) -> Mail:
        """The first mail to `recipient` (in the order the poller found them)."""
        wanted = recipient.strip().lower()
        deadline = time.monotonic() + timeout
        while wanted not in self._first:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail for {recipient} within {timeout}s")
            await asyncio.sleep(self.interval)
        return self._first[wanted]
