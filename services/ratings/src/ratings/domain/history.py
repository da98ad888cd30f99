"""A company's history: one point per month of national score and credit limit,
served as series for charts, grouped by month, quarter or year on request.

The seed's portal summed the months of a group and showed scores above 100. Here
a score is never summed: a group shows the LAST point of its period by default
(what the company was at the end of the quarter or year, as a credit manager
reads a chart), or the MEAN of its points, rounded half up, on request. Both stay
within the range of the points grouped, so within 0-100. A credit limit is an
amount, but summing it would be as wrong: it follows the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ratings.domain.credit_file import check_score
from ratings.domain.errors import RuleViolations, Violation


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Aggregate(StrEnum):
    LAST = "last"
    MEAN = "mean"


@dataclass(frozen=True, order=True)
class MonthlyPoint:
    month: date  # the first day of the month
    national_score: int | None
    credit_limit_cents: int | None

    def __post_init__(self) -> None:
        if self.month.day != 1:
            raise RuleViolations([Violation("not-a-month", "month", f"{self.month} is not the first day of a month")])
        if self.national_score is not None:
            check_score(self.national_score)
        if self.credit_limit_cents is not None and self.credit_limit_cents < 0:
            raise RuleViolations([Violation("negative-amount", "credit_limit", "a credit limit is never negative")])


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a chart: the period it stands for (its first month) and its value."""

    period_start: date
    value: int | None


def period_start(month: date, period: Period) -> date:
    if period is Period.MONTH:
        return month
    if period is Period.QUARTER:
        return date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    return date(month.year, 1, 1)


def record_month(history: Sequence[MonthlyPoint], point: MonthlyPoint) -> tuple[MonthlyPoint, ...]:
    """The history with `point` as its month's one value (a later sync in the same month replaces it)."""
    kept = [p for p in history if p.month != point.month]
    return tuple(sorted([*kept, point]))


def _combine(values: Sequence[int], aggregate: Aggregate) -> int:
    if aggregate is Aggregate.LAST:
        return values[-1]
    # Mean rounded half up, in integers: never outside [min, max] of the values.
    total, count = sum(values), len(values)
    return (2 * total + count) // (2 * count)


def series(
    history: Iterable[MonthlyPoint],
    *,
    measure: str,
    period: Period = Period.MONTH,
    aggregate: Aggregate = Aggregate.LAST,
) -> list[SeriesPoint]:
    """The chart series of `measure` ('national_score' or 'credit_limit_cents'):
    one point per period that has data, in time order."""
    if measure not in ("national_score", "credit_limit_cents"):
        raise RuleViolations(
            [Violation("unknown-measure", "measure", f"{measure!r}: national_score or credit_limit_cents")]
        )
    groups: dict[date, list[int]] = {}
    for point in sorted(history):
        value = getattr(point, measure)
        bucket = groups.setdefault(period_start(point.month, period), [])
        if value is not None:
            bucket.append(value)
    return [
        SeriesPoint(start, _combine(values, aggregate) if values else None) for start, values in sorted(groups.items())
    ]
