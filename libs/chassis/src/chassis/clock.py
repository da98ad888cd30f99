"""Time, injected: domain code asks a Clock, so deadlines are testable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetFileClock:
    """The system time plus an offset read from a file: how end-to-end tests move a *running*
    service's time forward (15 days of a recovery case, 14 days of a SEPA pre-notification)
    without a route that moves time.

    The file holds a number of seconds (a float; absent or empty: 0). It is re-read when its
    modification time changes, so a test writes it and the service's next `now()` sees it. Only
    outside production (`ServiceSettings.clock_offset_file` is refused there); time only moves
    forward: a smaller offset than one already seen is ignored, so deadlines never run backwards.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._offset = 0.0

    def offset(self) -> timedelta:
        try:
            stamp = self.path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            return timedelta(seconds=self._offset)
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                text = self.path.read_text().strip()
                read = float(text) if text else 0.0
            except (OSError, ValueError):
                read = self._offset  # a file being written: keep the last good offset
            self._offset = max(self._offset, read)
        return timedelta(seconds=self._offset)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()


def write_clock_offset(path: Path, offset: timedelta) -> None:
    """Set the offset an `OffsetFileClock` reads (tests only): written whole, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(f"{offset.total_seconds():.3f}\n")
    partial.replace(path)
