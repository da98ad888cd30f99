"""Money splits and due dates: the source's examples, then properties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.domain.calendar import due_dates
from billing.domain.money import SplitError, format_euros, split_with_remainder_first
from billing.domain.schedules import regularisation_options


def test_the_sources_schedule_example() -> None:
    assert split_with_remainder_first(12796, 3) == [4266, 4265, 4265]


def test_the_sources_regularisation_example() -> None:
    assert regularisation_options(15918) == {1: [15918], 2: [7959, 7959], 3: [5306, 5306, 5306]}


def test_remainder_goes_first_when_it_is_more_than_one_cent() -> None:
    assert split_with_remainder_first(1002, 4) == [252, 250, 250, 250]


@pytest.mark.parametrize(("total", "parts"), [(2, 3), (0, 1), (5, 0), (-3, 1)])
def test_impossible_splits_are_refused(total: int, parts: int) -> None:
    with pytest.raises(SplitError):
        split_with_remainder_first(total, parts)


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=12))
def test_a_split_preserves_the_sum_puts_the_remainder_first_and_has_no_empty_part(total: int, parts: int) -> None:
    if total < parts:
        with pytest.raises(SplitError):
            split_with_remainder_first(total, parts)
        return
    amounts = split_with_remainder_first(total, parts)
    assert len(amounts) == parts
    assert sum(amounts) == total
    assert all(a > 0 for a in amounts)
    assert all(a == amounts[1] for a in amounts[1:])  # all but the first are equal
    assert 0 <= amounts[0] - amounts[-1] < parts  # the first carries the remainder only
    assert all(isinstance(a, int) for a in amounts)


@given(st.integers(min_value=1, max_value=10**9))
def test_regularisation_options_each_preserve_the_unpaid_amount(unpaid: int) -> None:
    for count, amounts in regularisation_options(unpaid).items():
        assert len(amounts) == count
        assert sum(amounts) == unpaid
        assert min(amounts) > 0


def test_format_euros() -> None:
    assert format_euros(12796) == "127.96"
    assert format_euros(5) == "0.05"
    assert format_euros(-105) == "-1.05"


def test_the_sources_due_dates() -> None:
    assert due_dates(date(2019, 8, 4), 3) == [date(2019, 8, 4), date(2019, 9, 3), date(2019, 10, 3)]


def test_month_ends_and_leap_years_need_no_special_case() -> None:
    assert due_dates(date(2024, 1, 31), 3) == [date(2024, 1, 31), date(2024, 3, 1), date(2024, 3, 31)]


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=60),
)
def test_due_dates_start_on_the_first_and_are_evenly_spaced(first: date, count: int, interval: int) -> None:
    dates = due_dates(first, count, interval)
    assert dates[0] == first
    assert len(dates) == count
    assert all(b - a == timedelta(days=interval) for a, b in itertools.pairwise(dates))


def test_bad_due_date_requests() -> None:
    with pytest.raises(ValueError, match="at least one"):
        due_dates(date(2020, 1, 1), 0)
    with pytest.raises(ValueError, match="interval"):
        due_dates(date(2020, 1, 1), 2, 0)
