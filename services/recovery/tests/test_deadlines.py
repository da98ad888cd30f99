"""Deadlines as CPC 641 and 642 count them, with the debtor's department's public holidays."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.domain.deadlines import (
    add_months,
    days_after,
    is_working_day,
    local_day,
    months_after,
    next_working_day,
    passed_at,
    public_holidays,
)
from recovery.domain.jurisdiction import COURT_OF_APPEAL

DEPARTMENTS = sorted(COURT_OF_APPEAL)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
departments = st.sampled_from(DEPARTMENTS)
# The first look-up of a department and year builds its holiday table: no timing on a loaded machine.
untimed = settings(deadline=None)

# --- worked examples ----------------------------------------------------------


def test_christmas_on_a_friday_moves_the_15_day_deadline_over_the_weekend() -> None:
    # Plain letter Thursday 10 December 2026: day 15 is Friday 25 December (Christmas), then a weekend.
    assert days_after(date(2026, 12, 10), 15, "75") == date(2026, 12, 28)


def test_26_december_is_a_holiday_in_moselle_not_in_paris() -> None:
    # Plain letter Thursday 11 December 2025: day 15 is Friday 26 December 2025.
    assert days_after(date(2025, 12, 11), 15, "75") == date(2025, 12, 26)
    assert days_after(date(2025, 12, 11), 15, "57") == date(2025, 12, 29)  # Saint-Étienne, then the weekend
    assert days_after(date(2025, 12, 11), 15, "67") == date(2025, 12, 29)


def test_good_friday_chains_into_easter_monday_in_moselle() -> None:
    # Letter Thursday 19 March 2026: day 15 is Good Friday 3 April 2026.
    assert days_after(date(2026, 3, 19), 15, "75") == date(2026, 4, 3)
    # Moselle: Good Friday, Saturday, Sunday, Easter Monday: Tuesday 7 April.
    assert days_after(date(2026, 3, 19), 15, "57") == date(2026, 4, 7)


def test_each_overseas_department_has_its_own_abolition_day() -> None:
    abolition = {"971": date(2026, 5, 27), "972": date(2026, 5, 22), "973": date(2026, 6, 10)}
    abolition |= {"974": date(2026, 12, 20), "976": date(2026, 4, 27)}
    for department, day in abolition.items():
        assert day in public_holidays(department, 2026), department
        assert day not in public_holidays("75", 2026)
    # La Réunion: a letter on Sunday 5 December 2027 ends on Monday 20 December, its holiday.
    assert days_after(date(2027, 12, 5), 15, "75") == date(2027, 12, 20)
    assert days_after(date(2027, 12, 5), 15, "974") == date(2027, 12, 21)


def test_a_month_from_31_january_ends_on_the_last_day_of_february() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)
    # 28 February 2027 is a Sunday: the month's deadline moves to Monday 1 March.
    assert months_after(date(2027, 1, 31), 1, "75") == date(2027, 3, 1)


def test_the_day_of_the_act_is_not_counted() -> None:
    assert days_after(date(2026, 3, 2), 1, "75") == date(2026, 3, 3)  # Monday's act: Tuesday ends one day


def test_a_deadline_passes_at_local_midnight_after_its_last_day() -> None:
    assert passed_at(date(2026, 12, 28), "75") == datetime(2026, 12, 28, 23, 0, tzinfo=UTC)  # CET
    assert passed_at(date(2026, 7, 1), "75") == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # CEST
    assert passed_at(date(2026, 12, 28), "971") == datetime(2026, 12, 29, 4, 0, tzinfo=UTC)
    assert passed_at(date(2026, 12, 28), "974") == datetime(2026, 12, 28, 20, 0, tzinfo=UTC)


def test_the_act_day_is_the_local_day() -> None:
    new_year_eve = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert local_day(new_year_eve, "75") == date(2027, 1, 1)
    assert local_day(new_year_eve, "972") == date(2026, 12, 31)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2026, 1, 1), "75")


def test_deadlines_are_at_least_one_day_or_month() -> None:
    with pytest.raises(ValueError, match="at least one"):
        days_after(date(2026, 1, 1), 0, "75")
    with pytest.raises(ValueError, match="at least one"):
        months_after(date(2026, 1, 1), 0, "75")


def test_every_department_has_a_holiday_calendar() -> None:
    for department in DEPARTMENTS:
        assert date(2026, 12, 25) in public_holidays(department, 2026), department


# --- properties ---------------------------------------------------------------


@untimed
@given(days, st.integers(min_value=1, max_value=60), departments)
def test_a_deadline_in_days_ends_on_the_first_working_day_from_its_nominal_end(
    act: date, count: int, department: str
) -> None:
    end = days_after(act, count, department)
    nominal = act + timedelta(days=count)
    assert end >= nominal
    assert is_working_day(end, department)
    assert end.weekday() < 5
    # every day skipped between the nominal end and the end is a weekend day or a holiday (a chain)
    skipped = [nominal + timedelta(days=n) for n in range((end - nominal).days)]
    assert not any(is_working_day(day, department) for day in skipped)
    assert (end - nominal).days <= 5  # no holiday chain in France is longer than a long weekend


@untimed
@given(days, st.integers(min_value=1, max_value=24))
def test_a_month_deadline_ends_on_the_same_day_number_or_the_months_last_day(act: date, months: int) -> None:
    end = add_months(act, months)
    assert (end.year * 12 + end.month) - (act.year * 12 + act.month) == months
    last = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(act.day, last)


@untimed
@given(st.integers(min_value=2000, max_value=2099))
def test_a_month_from_the_end_of_january_lands_on_28_or_29_february(year: int) -> None:
    end = add_months(date(year, 1, 31), 1)
    assert end == date(year, 2, 29 if calendar.isleap(year) else 28)


@untimed
@given(days, st.integers(min_value=1, max_value=3), departments)
def test_a_month_deadline_then_moves_to_a_working_day(act: date, months: int, department: str) -> None:
    end = months_after(act, months, department)
    assert end == next_working_day(add_months(act, months), department)
    assert is_working_day(end, department)


@untimed
@given(days, departments)
def test_next_working_day_is_idempotent(day: date, department: str) -> None:
    once = next_working_day(day, department)
    assert next_working_day(once, department) == once


@untimed
@given(days)
def test_alsace_moselle_has_every_national_holiday_and_good_friday_and_26_december(day: date) -> None:
    national = public_holidays("75", day.year)
    moselle = public_holidays("57", day.year)
    assert set(national) <= set(moselle)
    assert set(moselle) - set(national) == {date(day.year, 12, 26), *(d for d, n in moselle.items() if "Good" in n)}
    assert len(set(moselle) - set(national)) == 2
