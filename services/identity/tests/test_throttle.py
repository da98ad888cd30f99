from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from identity.domain.throttle import (
    FailureRecord,
    LockoutPolicy,
    after_failure,
    after_success,
    is_locked,
    may_send_again,
    seconds_locked,
    seconds_to_next_window,
    window_start,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


def fail(times: int, start: datetime = T0, every: timedelta = timedelta(seconds=10)) -> FailureRecord:
    record = FailureRecord()
    for n in range(times):
        record = after_failure(record, start + n * every, POLICY)
    return record


def test_four_failures_do_not_lock_the_fifth_does() -> None:
    assert not is_locked(fail(4), T0 + timedelta(minutes=1))
    locked = fail(5)
    assert is_locked(locked, T0 + timedelta(minutes=1))
    assert seconds_locked(locked, T0 + timedelta(seconds=40)) == 15 * 60


def test_the_lock_ends_by_itself() -> None:
    locked = fail(5)
    assert locked.locked_until is not None
    assert not is_locked(locked, locked.locked_until)
    assert seconds_locked(locked, locked.locked_until) == 0


def test_failures_spread_beyond_the_window_never_lock() -> None:
    assert not is_locked(fail(20, every=timedelta(minutes=4)), T0 + timedelta(hours=2))


def test_a_success_forgets_the_failures() -> None:
    assert after_success() == FailureRecord()


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=1000))
def test_the_lock_comes_exactly_at_the_limit_within_a_window(failures: int, spacing_seconds: int) -> None:
    spacing = timedelta(seconds=spacing_seconds % 180)  # 5 failures always fit in 15 minutes
    record = FailureRecord()
    locked_at = None
    for n in range(failures):
        now = T0 + n * spacing
        record = after_failure(record, now, POLICY)
        if is_locked(record, now) and locked_at is None:
            locked_at = n + 1
    assert (locked_at == 5) if failures >= 5 else (locked_at is None)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=7200))
def test_fixed_windows_contain_now(epoch: int, window_seconds: int) -> None:
    now = datetime.fromtimestamp(epoch, UTC)
    window = timedelta(seconds=window_seconds)
    start = window_start(now, window)
    assert start <= epoch < start + window_seconds
    assert 1 <= seconds_to_next_window(now, window) <= window_seconds


def test_mails_are_spaced() -> None:
    interval = timedelta(seconds=60)
    assert may_send_again(None, T0, interval)
    assert not may_send_again(T0, T0 + timedelta(seconds=59), interval)
    assert may_send_again(T0, T0 + interval, interval)
