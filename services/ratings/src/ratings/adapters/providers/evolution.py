"""How a local company's credit evolves: seeded by company and month, the same on every run.

Each company has its own level, size and two slow cycles (drawn from its key). Each
month draws, from a hash of (company, month), whether the score holds (about 45% of
months) or takes a new value (the company's level, its cycles and a noise), and the
instant in the month the change lands. The credit limit follows the score and the
company's size, rounded as providers round it (so a small move of the score may
leave the limit as it was); trends compare the score with three months before (one
for payment); the solvency index is the score blurred by a noise. Month `i` of company
`k` is a pure function of (k, i), computed in constant time whatever the date: a
report costs a few hashes, so a 1,000-company check measures the latency, not this.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ratings.domain.credit_file import CommonRating, Trend, Trends, common_rating_for

EPOCH = date(2020, 1, 1)
# No credit is advised below this score (Creditsafe's band E): the limit is 0.
NO_CREDIT_BELOW = 21


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def draws(*parts: object) -> bytes:
    """32 seeded bytes: each a uniform draw in 0-255."""
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=32).digest()


def _noise(a: int, b: int, spread: float) -> float:
    """A triangular noise in [-spread, spread] from two draws (mean 0)."""
    return (a + b - 255) / 255 * spread


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


HOLD_BELOW = 115  # a month keeps the previous score when its first draw is below: 45%
MAX_HOLD = 24


class CompanyWalk:
    """The months of one company, each computed on demand from (company, month)."""

    def __init__(self, key: str) -> None:
        self.key = key
        rng = rng_for("company", key)
        self._level = rng.randint(25, 90)  # where the score tends to
        self._capacity_cents = int(10 ** rng.uniform(6.5, 10.5))  # 30k to 300M in currency units
        self._cycles = tuple((rng.uniform(2, 14), rng.uniform(9, 40), rng.uniform(0, 2 * math.pi)) for _ in range(2))
        self._states: dict[int, MonthState] = {}
        self._scores: dict[int, int] = {}

    def _limit(self, score: int) -> int:
        if score < NO_CREDIT_BELOW:
            return 0
        raw = self._capacity_cents * (score / 100) ** 2 / 10
        # Providers round limits: to 100 units below 100,000, to 1,000 below 1,000,000, then to 10,000.
        units = raw / 100
        step = 100_00 if units < 100_000 else 1_000_00 if units < 1_000_000 else 10_000_00
        return max(step, round(raw / step) * step)

    def _score(self, index: int) -> int:
        """The score of month `index`: the new value of the latest month at or before it that did not hold."""
        known = self._scores.get(index)
        if known is None:
            known = self._scores[index] = self._new_score(index)
        return known

    def _new_score(self, index: int) -> int:
        month = index
        while month > 0 and index - month < MAX_HOLD and draws(self.key, month)[0] < HOLD_BELOW:
            month -= 1
        b = draws(self.key, month)
        cycles = sum(
            amplitude * math.sin(2 * math.pi * month / period + phase) for amplitude, period, phase in self._cycles
        )
        return max(1, min(100, round(self._level + cycles + _noise(b[1], b[2], 5))))

    def state(self, index: int) -> MonthState:
        """Month `index` (>= 0)."""
        cached = self._states.get(index)
        if cached is not None:
            return cached
        b = draws(self.key, index)
        score = self._score(index)
        start = month_of(index)
        changed_at = datetime(start.year, start.month, 1, tzinfo=UTC) + timedelta(
            days=b[3] % 28, hours=b[4] % 24, minutes=b[5] % 60
        )
        quarter = score - self._score(max(0, index - 3))
        month = score - self._score(max(0, index - 1))
        trends = Trends(
            profitability=_trend(quarter + _noise(b[6], b[7], 3)),
            liquidity=_trend(quarter + _noise(b[8], b[9], 4)),
            net_worth=_trend(quarter / 2 + _noise(b[10], b[11], 3)),
            payment=_trend(month + _noise(b[12], b[13], 2)),
        )
        solvency = max(0, min(100, score + b[14] % 17 - 8))
        state = MonthState(index, changed_at, score, self._limit(score), solvency, trends)
        self._states[index] = state
        return state

    def at(self, instant: datetime) -> MonthState:
        """The state in force at `instant`: its month's, once that month's change has landed."""
        index = month_index(first_of_month(instant))
        if index <= 0:
            return self.state(0)
        current = self.state(index)
        return current if current.changed_at <= instant else self.state(index - 1)
