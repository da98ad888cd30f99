"""Throttles: temporary lockout after repeated login failures, fixed-window
request limits, and the minimum interval between two mails of one kind.

Pure: each takes the stored state and `now`, and says what the new state is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """`max_failures` failed logins within `window` lock the key for `lock_for`."""

    max_failures: int
    window: timedelta
    lock_for: timedelta


@dataclass(frozen=True)
class FailureRecord:
    """Failed logins of one key (an email, or a client address)."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None


def is_locked(record: FailureRecord, now: datetime) -> bool:
    return record.locked_until is not None and now < record.locked_until


def seconds_locked(record: FailureRecord, now: datetime) -> int:
    """Whole seconds until the lock ends (at least 1 while locked), for Retry-After."""
    if record.locked_until is None or now >= record.locked_until:
        return 0
    return max(1, math.ceil((record.locked_until - now).total_seconds()))


def after_failure(record: FailureRecord, now: datetime, policy: LockoutPolicy) -> FailureRecord:
    """One more failure. A window that has elapsed starts over; reaching the
    limit locks the key and starts a fresh count for after the lock."""
    if record.window_started_at is None or now - record.window_started_at >= policy.window:
        record = FailureRecord(failures=0, window_started_at=now, locked_until=record.locked_until)
    record = replace(record, failures=record.failures + 1)
    if record.failures >= policy.max_failures:
        return FailureRecord(failures=0, window_started_at=None, locked_until=now + policy.lock_for)
    return record


def after_success() -> FailureRecord:
    """A successful login forgets the account's failures."""
    return FailureRecord()


def window_start(now: datetime, window: timedelta) -> int:
    """The fixed window `now` falls in, as seconds since the epoch: the key of a
    request counter that is incremented atomically."""
    seconds = int(window.total_seconds())
    return int(now.timestamp()) // seconds * seconds


def seconds_to_next_window(now: datetime, window: timedelta) -> int:
    seconds = int(window.total_seconds())
    return max(1, window_start(now, window) + seconds - int(now.timestamp()))


def may_send_again(last_sent_at: datetime | None, now: datetime, interval: timedelta) -> bool:
    """Resends of one mail are spaced by at least `interval`."""
    return last_sent_at is None or now - last_sent_at >= interval
