"""A company's credit file: the common rating, the national score, the credit
limit, the solvency index and the four trends, as the provider last gave them.

The common rating is the letter every provider's own value is mapped to, so
that portfolios mixing countries and providers compare (Creditsafe's common
scale: A very low risk to E very high risk, and not rated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ratings.domain.errors import RuleViolations, Violation

SCORE_MIN, SCORE_MAX = 0, 100


class Trend(StrEnum):
    UP = "up"
    FLAT = "flat"
    DOWN = "down"


class CommonRating(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    NOT_RATED = "NR"

    @property
    def description(self) -> str:
        return RATING_DESCRIPTIONS[self]


RATING_DESCRIPTIONS: dict[CommonRating, str] = {
    CommonRating.A: "Very low risk",
    CommonRating.B: "Low risk",
    CommonRating.C: "Moderate risk",
    CommonRating.D: "High risk",
    CommonRating.E: "Very high risk",
    CommonRating.NOT_RATED: "Not rated",
}
# Lowest national score of each band of the common scale.
RATING_BANDS: tuple[tuple[int, CommonRating], ...] = (
    (71, CommonRating.A),
    (51, CommonRating.B),
    (30, CommonRating.C),
    (21, CommonRating.D),
    (1, CommonRating.E),
)


def common_rating_for(score: int | None) -> CommonRating:
    """The common letter of a 0-100 national score (0 or none: not rated, e.g. insolvent or dormant)."""
    if score is None or score == 0:
        return CommonRating.NOT_RATED
    check_score(score)
    return next(rating for floor, rating in RATING_BANDS if score >= floor)


def check_score(score: int) -> int:
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise RuleViolations([Violation("score-out-of-range", "national_score", f"{score} is not within 0-100")])
    return score


@dataclass(frozen=True)
class Money:
    """An amount in integer cents of an ISO 4217 currency."""

    cents: int
    currency: str

    def __post_init__(self) -> None:
        if self.cents < 0:
            raise RuleViolations([Violation("negative-amount", "credit_limit", "a credit limit is never negative")])
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise RuleViolations([Violation("bad-currency", "currency", f"{self.currency!r} is not ISO 4217")])


@dataclass(frozen=True)
class Trends:
    profitability: Trend = Trend.FLAT
    liquidity: Trend = Trend.FLAT
    net_worth: Trend = Trend.FLAT
    payment: Trend = Trend.FLAT


@dataclass(frozen=True)
class CreditFile:
    """The provider's answer for one company at one time."""

    company_key: str
    provider: str
    provider_rating: str  # the provider's own value, as it gives it
    national_score: int | None
    credit_limit: Money | None
    solvency_index: int | None
    trends: Trends
    provider_url: str | None
    synchronised_at: datetime
    rating: CommonRating = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rating", common_rating_for(self.national_score))


@dataclass(frozen=True)
class RatingChange:
    """What changed between two files of one company: the old and new values."""

    company_key: str
    previous: CreditFile | None
    current: CreditFile

    @property
    def changed_fields(self) -> tuple[str, ...]:
        if self.previous is None:
            return ("rating", "national_score", "credit_limit")
        before, after = self.previous, self.current
        pairs = (
            ("rating", before.rating, after.rating),
            ("national_score", before.national_score, after.national_score),
            ("credit_limit", before.credit_limit, after.credit_limit),
        )
        return tuple(name for name, old, new in pairs if old != new)


def change_between(previous: CreditFile | None, current: CreditFile) -> RatingChange | None:
    """The change monitoring reports (and `RatingUpdated` carries), or None when
    the rating, the score and the limit are all the same. Trends and the
    solvency index refresh the file without raising an event."""
    change = RatingChange(current.company_key, previous, current)
    return change if change.changed_fields else None
