"""Events owned by ratings."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from contracts.base import Event, event_type
from contracts.events.common import SIREN


class Trend(StrEnum):
    UP = "up"
    FLAT = "flat"
    DOWN = "down"


@event_type(owner="ratings", version=1, subject="company_id")
class RatingUpdated(Event):
    """A company's rating, national score or credit limit changed."""

    company_id: str = SIREN
    provider: str
    rating: str = Field(description="Letter grade given by the provider.")
    national_score: int = Field(ge=0, le=100)
    credit_limit_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    previous_rating: str | None = None
    previous_national_score: int | None = Field(default=None, ge=0, le=100)
    previous_credit_limit_cents: int | None = Field(default=None, ge=0)
