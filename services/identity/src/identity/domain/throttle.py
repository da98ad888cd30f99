"""Throttles: temporary lockout after repeated login failures, fixed-window
request limits, and the minimum interval between two mails of one kind.

Pure: each takes the stored state and `now`, and says what the new state is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """At most `max_failures` guesses are evaluated within `window`; when they
    are used up by failures, the key is locked for `lock_for` (a success gives
    its guess back)."""

    max_failures: int
    window: timedelta
    lock_for: timedelta


@dataclass(frozen=True)
class GuessWindow:
    """Login guesses of one key (a login, or a client address) in its current
    window. A guess is counted *before* the password is looked at, so that at
    most `max_failures` guesses are ever evaluated per window, however many
    arrive at once."""

    attempts: int = 0
    window_started_at: datetime | None = None


def login_key(login: str) -> str:
    """The lockout key of a login: an email at `/sessions`, a former-portal
    login at `/legacy/sessions`. One key for both routes, so a login that is
    both gets its guesses once, not once per route."""
    return f"login:{login.strip().lower()}"


def window_open(window: GuessWindow, now: datetime, policy: LockoutPolicy) -> bool:
    return window.window_started_at is not None and now - window.window_started_at < policy.window


def seconds_refused(window: GuessWindow, now: datetime, policy: LockoutPolicy) -> int:
    """Whole seconds until a guess is accepted again (0: now), for Retry-After."""
    if not window_open(window, now, policy) or window.attempts < policy.max_failures:
        return 0
    assert window.window_started_at is not None
    ends = window.window_started_at + policy.window
    return max(1, math.ceil((ends - now).total_seconds()))


def stale_before(now: datetime, policy: LockoutPolicy) -> datetime:
    """A window that started at or before this instant has elapsed: the next guess starts a new one."""
    return now - policy.window


def locked_window_start(now: datetime, policy: LockoutPolicy) -> datetime:
    """The failure that uses up the last guess locks the key for `lock_for`:
    its window is moved so that it ends `lock_for` from now, full."""
    return now + policy.lock_for - policy.window


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
