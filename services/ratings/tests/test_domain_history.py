"""History: one point per month; grouped points never leave 0-100 (the seed's bug)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratings.domain.errors import RuleViolations
from ratings.domain.history import Aggregate, MonthlyPoint, Period, record_month, series

months = st.builds(lambda y, m: date(y, m, 1), st.integers(2000, 2030), st.integers(1, 12))
points = st.builds(
    MonthlyPoint,
    months,
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 10**12)),
)
histories = st.lists(points, max_size=60).map(
    lambda ps: tuple({p.month: p for p in ps}.values())  # one point per month
)


@given(histories, st.sampled_from(Period), st.sampled_from(Aggregate))
def test_a_grouped_score_never_leaves_0_to_100(
    history: tuple[MonthlyPoint, ...], period: Period, aggregate: Aggregate
) -> None:
    for point in series(history, measure="national_score", period=period, aggregate=aggregate):
        assert point.value is None or 0 <= point.value <= 100


@given(histories, st.sampled_from(Period), st.sampled_from(Aggregate))
def test_a_group_stays_within_the_values_it_groups(
    history: tuple[MonthlyPoint, ...], period: Period, aggregate: Aggregate
) -> None:
    grouped = series(history, measure="credit_limit_cents", period=period, aggregate=aggregate)
    monthly = series(history, measure="credit_limit_cents")
    for point in grouped:
        inside = [
            p.value
            for p in monthly
            if p.value is not None
            and p.period_start >= point.period_start
            and _same_period(p.period_start, point.period_start, period)
        ]
        if point.value is None:
            assert not inside
        else:
            assert min(inside) <= point.value <= max(inside)


def _same_period(month: date, start: date, period: Period) -> bool:
    if period is Period.MONTH:
        return month == start
    if period is Period.QUARTER:
        return month.year == start.year and (month.month - 1) // 3 == (start.month - 1) // 3
    return month.year == start.year


@given(histories)
def test_one_point_per_period_in_time_order(history: tuple[MonthlyPoint, ...]) -> None:
    for period in Period:
        starts = [p.period_start for p in series(history, measure="national_score", period=period)]
        assert starts == sorted(set(starts))


def test_the_seed_case_three_high_months_in_a_quarter() -> None:
    history = [MonthlyPoint(date(2026, m, 1), 90 + m, 1_000_00 * m) for m in (1, 2, 3)]
    assert [p.value for p in series(history, measure="national_score", period=Period.QUARTER)] == [93]
    assert [
        p.value for p in series(history, measure="national_score", period=Period.QUARTER, aggregate=Aggregate.MEAN)
    ] == [92]
    assert [p.value for p in series(history, measure="credit_limit_cents", period=Period.YEAR)] == [300000]


def test_mean_rounds_half_up() -> None:
    history = [MonthlyPoint(date(2026, 1, 1), 50, None), MonthlyPoint(date(2026, 2, 1), 51, None)]
    assert series(history, measure="national_score", period=Period.YEAR, aggregate=Aggregate.MEAN)[0].value == 51


def test_a_later_sync_replaces_its_month() -> None:
    history = record_month((), MonthlyPoint(date(2026, 5, 1), 40, None))
    history = record_month(history, MonthlyPoint(date(2026, 5, 1), 45, None))
    assert [p.national_score for p in history] == [45]


@pytest.mark.parametrize(("score", "day"), [(101, 1), (-1, 1), (50, 15)])
def test_impossible_points_are_refused(score: int, day: int) -> None:
    with pytest.raises(RuleViolations):
        MonthlyPoint(date(2026, 5, day), score, None)
