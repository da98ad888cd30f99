"""Events owned by ratings."""

from __future__ import annotations

from datetime import datetime
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


@event_type(owner="ratings", version=1, subject="owner_id")
class AlertRaised(Event):
    """Something a watcher asked to be told of happened to a monitored company (a new provider event,
    a change of rating, score or limit). Identity files it in the owner's in-app mailbox."""

    alert_id: str = Field(description="Idempotency key of the alert: one alert per new event.")
    owner_id: str = Field(description="Account id of the watcher whose mailbox receives it.")
    portfolio_id: str
    portfolio_name: str
    company_country: str = Field(description="ISO 3166-1 alpha-2 country of the company.")
    company_number: str = Field(description="The company's registration number in its country.")
    company_name: str
    kind: str = Field(description="What happened, e.g. rating_changed, limit_changed, score_changed, provider_event.")
    title: str = Field(description="One line, in French, for the mailbox's list.")
    body: str = Field(description="The message, plain text, in French.")
    old_value: str | None = None
    new_value: str | None = None
    raised_at: datetime
