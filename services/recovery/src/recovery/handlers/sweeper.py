"""The deadline sweeper: a background loop (started by the app) that applies every due transition
(`AdvanceDueDeadlines`, one claimed case at a time) and the saga's due steps, then waits for the
next pass, or less when a case held by a dead instance can be taken over sooner (ADR 0021)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from chassis.errors import DEPENDENCY_ERRORS
from recovery.handlers import AdvanceDueDeadlines, dispatch
from recovery.ports import RecoveryPorts

log = logging.getLogger("recovery.sweeper")
Step = Callable[[], Awaitable[bool]]  # one unit of due work; False when none was due


class DeadlineSweeper:
    def __init__(
        self, ports: RecoveryPorts, interval_seconds: float, *, extra_steps: tuple[Step, ...] = (), batch: int = 1000
    ) -> None:
        self._ports = ports
        self._interval = interval_seconds
        self._steps = extra_steps
        self._batch = batch
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def wake(self) -> None:
        """Sweep now (a handler made something due at once)."""
        self._wake.set()

    async def _case_step(self) -> bool:
        try:
            return await dispatch(AdvanceDueDeadlines(), self._ports) is not None
        except DEPENDENCY_ERRORS:
            raise
        except Exception:
            # This case's transition failed: released with a later retry, the sweep goes on.
            log.exception("a due transition failed; it is retried later")
            return True

    async def sweep_once(self) -> int:
        """Apply what is due, up to a batch per step; how many transitions were attempted."""
        done = 0
        for step in (self._case_step, *self._steps):
            for _ in range(self._batch):
                if self._stopping.is_set() or not await step():
                    break
                done += 1
        return done

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline sweep failed; next one in %.0fs", self._interval)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
