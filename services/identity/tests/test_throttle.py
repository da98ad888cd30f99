from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from identity.domain.throttle import (
    GuessWindow,
    LockoutPolicy,
    locked_window_start,
    login_key,
    may_send_again,
    seconds_refused,
    seconds_to_next_window,
    stale_before,
    window_open,
    window_start,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


def test_guesses_below_the_limit_are_accepted_the_last_one_fills_the_window() -> None:
    assert seconds_refused(GuessWindow(4, T0), T0 + timedelta(minutes=1), POLICY) == 0
    assert seconds_refused(GuessWindow(5, T0), T0 + timedelta(minutes=1), POLICY) == 14 * 60


def test_a_window_ends_by_itself() -> None:
    full = GuessWindow(5, T0)
    assert window_open(full, T0 + timedelta(minutes=14, seconds=59), POLICY)
    assert not window_open(full, T0 + POLICY.window, POLICY)
    assert seconds_refused(full, T0 + POLICY.window, POLICY) == 0
    assert stale_before(T0 + POLICY.window, POLICY) == T0


def test_the_failure_that_spends_the_last_guess_locks_for_lock_for() -> None:
    policy = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=30))
    at = T0 + timedelta(minutes=10)
    locked = GuessWindow(5, locked_window_start(at, policy))
    assert seconds_refused(locked, at, policy) == 30 * 60
    assert seconds_refused(locked, at + timedelta(minutes=30), policy) == 0


def test_one_key_per_login_whatever_the_route_or_case() -> None:
    assert login_key("Dupont.SA ") == login_key("dupont.sa") == "login:dupont.sa"


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=899))
def test_a_full_window_refuses_until_it_ends(attempts: int, elapsed_seconds: int) -> None:
    now = T0 + timedelta(seconds=elapsed_seconds)
    refused = seconds_refused(GuessWindow(attempts, T0), now, POLICY)
    if attempts < POLICY.max_failures:
        assert refused == 0
    else:
        assert refused == 15 * 60 - elapsed_seconds


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
