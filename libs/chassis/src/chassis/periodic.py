"""A job a service runs every so often for its lifetime (a `chassis.service.BackgroundLoop`):
a debit run, a planning pass. One loop for all of them: each pass is awaited to its end, a
dependency that cannot be reached is one warning line (no traceback), any other failure is logged
with its traceback, and the loop goes on after its wait; `stop()` ends it at once between passes.

Durable jobs keep their state in the database (what is due, who holds it: `chassis.leases`), so a
pass that failed or a process that died loses nothing: the next pass finds the work again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from chassis.errors import DEPENDENCY_ERRORS, dependency_of
from chassis.outbox import stop_if_cancelled

log = logging.getLogger("chassis.periodic")


class Periodic(ABC):
    """Subclasses write `run_once`; `name` says what failed in the logs."""

    name = "periodic job"

    def __init__(self, interval_seconds: float) -> None:
        self.interval = interval_seconds
        self._stopping = asyncio.Event()

    @abstractmethod
    async def run_once(self) -> float | None:
        """One pass; the seconds to wait before the next (None: `interval`)."""

    def stop(self) -> None:
        """End `run` after the pass in hand (the service runtime waits for it)."""
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            wait = self.interval
            try:
                asked = await self.run_once()
                wait = self.interval if asked is None else asked
            except asyncio.CancelledError:
                raise
            except DEPENDENCY_ERRORS as error:
                stop_if_cancelled()
                log.warning("%s stopped, %s unreachable; next pass in %.1fs", self.name, dependency_of(error), wait)
            except Exception:
                stop_if_cancelled()
                log.exception("%s failed; next pass in %.1fs", self.name, wait)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._stopping.wait()
