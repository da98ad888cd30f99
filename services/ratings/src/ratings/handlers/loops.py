"""The background loops of ratings: the check runner (claims "check new events" jobs and runs them)
and monitoring (claims due portfolios and starts their check). Both are `chassis.service`
background loops: woken early by a new job, stopped cooperatively with the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from chassis.errors import DEPENDENCY_ERRORS
from ratings.handlers import monitor_due_portfolios, run_check
from ratings.ports import RatingsPorts

log = logging.getLogger("ratings.loops")


class _Loop:
    def __init__(self, ports: RatingsPorts, interval_s: float) -> None:
        self.ports = ports
        self.interval_s = interval_s
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._current: asyncio.Task[bool] | None = None

    def stop(self) -> None:
        """Stop now: work in hand is interrupted (a claimed job is released, and resumed by whoever
        claims it next, this instance restarted or another)."""
        self._stopping.set()
        self._wake.set()
        if self._current is not None:
            self._current.cancel()

    def wake(self) -> None:
        self._wake.set()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.interval_s):
                await self._wake.wait()
        self._wake.clear()

    async def once(self) -> bool:
        """Do one unit of work; False when there was none."""
        raise NotImplementedError

    async def _once(self) -> bool:
        self._current = asyncio.create_task(self.once())
        try:
            return await self._current
        except asyncio.CancelledError:
            if self._stopping.is_set():
                return False
            raise
        finally:
            self._current = None

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                while not self._stopping.is_set() and await self._once():
                    pass
            except DEPENDENCY_ERRORS as error:
                log.warning("%s: a dependency is down (%s), retrying later", type(self).__name__, type(error).__name__)
            except Exception:
                log.exception("%s failed; retrying later", type(self).__name__)
            if not self._stopping.is_set():
                await self._pause()


class CheckRunner(_Loop):
    """Runs jobs one after the other (each job's own concurrency is the provider's bound)."""

    async def once(self) -> bool:
        return await run_check.handle(run_check.RunCheck(), self.ports) is not None


class Monitoring(_Loop):
    async def once(self) -> bool:
        return (
            await monitor_due_portfolios.handle(monitor_due_portfolios.MonitorDuePortfolios(), self.ports) is not None
        )
