"""How a local company's credit evolves: a seeded monthly walk, the same on every run.

Each company has a seed (its key); each month since EPOCH draws, from the seed and
the month, whether its score moves and by how much (with a pull back towards the
company's own level, so scores wander without drifting to the bounds), and the
instant in the month the change lands. The credit limit follows the score and the
company's size, rounded as providers round it (so a small move of the score may
leave the limit as it was); trends compare the score with three months before;
the solvency index is the score blurred by a seeded noise. Nothing depends on when
or in which order it is asked: month `i` of company `k` is a pure function of (k, i).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ratings.domain.credit_file import CommonRating, Trend, Trends, common_rating_for

EPOCH = date(2015, 1, 1)
# No credit is advised below this score (Creditsafe's band E): the limit is 0.
NO_CREDIT_BELOW = 21


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def month_index(month: date) -> int:
    return (month.year - EPOCH.year) * 12 + month.month - EPOCH.month


def month_of(index: int) -> date:
    year, month = divmod(EPOCH.month - 1 + index, 12)
    return date(EPOCH.year + year, month + 1, 1)


def first_of_month(at: datetime) -> date:
    return date(at.year, at.month, 1)


@dataclass(frozen=True)
class MonthState:
    """A company's credit as it stands from `changed_at` (its month's change) on."""

    index: int
    changed_at: datetime
    score: int
    limit_cents: int
    solvency_index: int
    trends: Trends

    @property
    def month(self) -> date:
        return month_of(self.index)

    @property
    def rating(self) -> CommonRating:
        return common_rating_for(self.score)


def _trend(delta: float) -> Trend:
    if delta > 2:
        return Trend.UP
    if delta < -2:
        return Trend.DOWN
    return Trend.FLAT


class CompanyWalk:
    """The months of one company, computed once up to the latest asked."""

    def __init__(self, key: str) -> None:
        self.key = key
        rng = rng_for("company", key)
        self._level = rng.randint(25, 90)  # where the score tends to
        self._capacity_cents = int(10 ** rng.uniform(6.5, 10.5))  # 30k to 300M in currency units
        self._scores: list[int] = [max(1, min(100, self._level + rng.randint(-10, 10)))]
        self._states: list[MonthState] = []

    def _score(self, index: int) -> int:
        while len(self._scores) <= index:
            i = len(self._scores)
            previous = self._scores[-1]
            rng = rng_for("month", self.key, i)
            if rng.random() < 0.55:
                pull = (self._level - previous) / 6
                step = round(pull + rng.gauss(0, 4)) or rng.choice((-1, 1))
                self._scores.append(max(1, min(100, previous + step)))
            else:
                self._scores.append(previous)
        return self._scores[index]

    def _limit(self, score: int) -> int:
        if score < NO_CREDIT_BELOW:
            return 0
        raw = self._capacity_cents * (score / 100) ** 2 / 10
        # Providers round limits: to 100 units below 100,000, to 1,000 below 1,000,000, then to 10,000.
        units = raw / 100
        step = 100_00 if units < 100_000 else 1_000_00 if units < 1_000_000 else 10_000_00
        return max(step, round(raw / step) * step)

    def state(self, index: int) -> MonthState:
        """Month `index` (>= 0) of the walk."""
        while len(self._states) <= index:
            i = len(self._states)
            score = self._score(i)
            rng = rng_for("details", self.key, i)
            start = month_of(i)
            changed_at = datetime(start.year, start.month, 1, tzinfo=UTC) + timedelta(
                days=rng.randint(0, 27), hours=rng.randint(0, 23), minutes=rng.randint(0, 59)
            )
            before = self._score(max(0, i - 3))
            trends = Trends(
                profitability=_trend(score - before + rng.gauss(0, 2)),
                liquidity=_trend(score - before + rng.gauss(0, 3)),
                net_worth=_trend((score - before) / 2 + rng.gauss(0, 2)),
                payment=_trend(score - self._score(max(0, i - 1)) + rng.gauss(0, 1)),
            )
            solvency = max(0, min(100, score + rng.randint(-8, 8)))
            self._states.append(MonthState(i, changed_at, score, self._limit(score), solvency, trends))
        return self._states[index]

    def at(self, instant: datetime) -> MonthState:
        """The state in force at `instant`: its month's, once that month's change has landed."""
        index = month_index(first_of_month(instant))
        if index <= 0:
            return self.state(0)
        current = self.state(index)
        return current if current.changed_at <= instant else self.state(index - 1)
